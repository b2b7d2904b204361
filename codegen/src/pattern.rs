//! `pattern`s are ECMA-262 regular expressions; the generated crate matches them with the
//! `regex` crate, in time linear in the input. The two read some classes differently: in
//! `regex`, `\d`, `\w` and `\s` follow Unicode; in ECMA-262, `\d` and `\w` are ASCII and `\s`
//! is its own list. [`to_rust`] spells those classes out so that both engines mean the same,
//! and refuses what it cannot translate.

/// ECMA-262 `\d`.
const DIGIT: &str = "0-9";
/// ECMA-262 `\w`.
const WORD: &str = "0-9A-Za-z_";
/// ECMA-262 `\s`: WhiteSpace and LineTerminator.
const SPACE: &str = r"\t\n\x0B\x0C\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}";

/// The pattern in `regex` syntax, with ECMA-262's meaning for `\d`, `\w`, `\s` and their
/// negations; word boundaries (`\b`, `\B`) are refused.
pub(crate) fn to_rust(pattern: &str) -> Result<String, String> {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut in_class = false;
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(escaped) = chars.next() else {
                    return Err("the pattern ends with a lone `\\`".to_owned());
                };
                let class = match escaped.to_ascii_lowercase() {
                    'd' => Some(DIGIT),
                    'w' => Some(WORD),
                    's' => Some(SPACE),
                    _ => None,
                };
                match (class, escaped.is_ascii_uppercase(), in_class) {
                    (Some(class), false, false) => out.push_str(&format!("[{class}]")),
                    (Some(class), false, true) => out.push_str(class),
                    (Some(class), true, _) => out.push_str(&format!("[^{class}]")),
                    (None, _, false) if escaped == 'b' || escaped == 'B' => {
                        return Err(format!("`\\{escaped}` (a word boundary) is not supported"));
                    }
                    // In a class, ECMA-262's `\b` is a backspace.
                    (None, _, true) if escaped == 'b' => out.push_str(r"\x08"),
                    (None, _, _) => {
                        out.push('\\');
                        out.push(escaped);
                    }
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                // A `]` right after `[` or `[^` is a literal in ECMA-262 only when escaped;
                // nothing to do here.
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::to_rust;

    fn matches(pattern: &str, text: &str) -> bool {
        regex::Regex::new(&to_rust(pattern).unwrap()).unwrap().is_match(text)
    }

    #[test]
    fn classes_mean_what_ecma_262_says() {
        assert!(matches(r"^\d+$", "123"));
        assert!(!matches(r"^\d+$", "١٢٣"), "Arabic-Indic digits are not ECMA-262 digits");
        assert!(matches(r"^\D$", "١"), "…so `\\D` takes them");
        assert!(!matches(r"^\w+$", "café"));
        assert!(matches(r"^[\w-]+$", "a-b_c"));
        assert!(matches(r"^[^\d]+$", "abc"));
        assert!(matches(r"^\s$", "\u{feff}"), "ECMA-262 counts U+FEFF as white space");
        assert!(!matches(r"^\s$", "\u{85}"), "but not U+0085");
        assert!(matches(r"^[\D]$", "x"));
    }

    #[test]
    fn other_escapes_are_kept_and_boundaries_refused() {
        assert_eq!(to_rust(r"^a\.b\\c\u00e9$").unwrap(), r"^a\.b\\c\u00e9$");
        assert!(to_rust(r"\bword\b").unwrap_err().contains("word boundary"));
        assert_eq!(to_rust(r"[\b]").unwrap(), r"[\x08]");
        assert!(to_rust("a\\").is_err());
    }
}
