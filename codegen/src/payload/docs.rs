//! Documentation taken from a schema (`title`, `description`), made inert before it reaches a
//! doc attribute: no invisible or direction-changing characters (rustc rejects a crate whose
//! comments hold them, and they can hide text from a reviewer), no code fences or indented
//! code blocks (a doc comment's code block is a doctest).

use serde_json::Value;

/// The doc lines of a schema: its title, then its description.
pub(crate) fn doc_lines(schema: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    for keyword in ["title", "description"] {
        if let Some(text) = schema.get(keyword).and_then(Value::as_str) {
            if !lines.is_empty() {
                lines.push(String::new());
            }
            lines.extend(inert_text(text).lines().map(str::to_owned));
        }
    }
    lines
}

/// Documentation text that cannot run, hide or break anything.
pub(crate) fn inert_text(text: &str) -> String {
    let visible: String = text.chars().filter(|c| !crate::names::is_invisible(*c)).collect();
    visible
        .lines()
        .map(|line| line.trim_start().replace("```", "'''").replace("~~~", "'''"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn documentation_text_is_inert() {
        let schema = json!({"title": "T", "description": "Run:\n```\npanic!()\n```\n    indented();\nhidden \u{202e}txet\u{202c} \u{200b}x\u{7}"});
        assert_eq!(
            super::doc_lines(&schema),
            ["T", "", "Run:", "'''", "panic!()", "'''", "indented();", "hidden txet x"]
        );
    }
}
