//! JSON Schema drafts: which one a document is written in, and what differs between them
//! where it changes the types. Imports nothing of ours.

use serde_json::Value;

/// A JSON Schema draft the generator reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Draft {
    Draft4,
    Draft6,
    Draft7,
    Draft2019_09,
    Draft2020_12,
}

/// Every draft, with the `$schema` URI that names it.
pub const DRAFTS: &[(Draft, &str)] = &[
    (Draft::Draft4, "http://json-schema.org/draft-04/schema"),
    (Draft::Draft6, "http://json-schema.org/draft-06/schema"),
    (Draft::Draft7, "http://json-schema.org/draft-07/schema"),
    (Draft::Draft2019_09, "https://json-schema.org/draft/2019-09/schema"),
    (Draft::Draft2020_12, "https://json-schema.org/draft/2020-12/schema"),
];

impl Draft {
    /// The draft a `$schema` value names (`#` at the end and `http`/`https` do not matter).
    pub fn from_uri(uri: &str) -> Option<Draft> {
        let plain = |uri: &str| {
            uri.trim_end_matches('#').trim_start_matches("https://").trim_start_matches("http://").to_owned()
        };
        DRAFTS.iter().find(|(_, known)| plain(known) == plain(uri)).map(|(draft, _)| *draft)
    }

    /// The draft of a document: its `$schema`, else `default`. `Err` holds a `$schema` that
    /// names no draft the generator reads.
    pub fn of(schema: &Value, default: Draft) -> Result<Draft, String> {
        match schema.get("$schema") {
            None => Ok(default),
            Some(Value::String(uri)) => Draft::from_uri(uri).ok_or_else(|| uri.clone()),
            Some(other) => Err(other.to_string()),
        }
    }

    /// The `$schema` URI of the draft.
    pub fn uri(self) -> &'static str {
        DRAFTS.iter().find(|(draft, _)| *draft == self).map(|(_, uri)| *uri).unwrap_or_default()
    }

    /// From 2019-09 on, a `$ref`'s siblings apply beside it; before, they are ignored.
    pub fn ref_siblings_apply(self) -> bool {
        self >= Draft::Draft2019_09
    }

    /// The id a schema document declares, as written: `$id`, or `id` in draft-04 (its draft
    /// read from `$schema`, else `default`).
    pub fn declared_id(schema: &Value, default: Draft) -> Option<&str> {
        let draft = Draft::of(schema, default).unwrap_or(default);
        schema.get(draft.id_keyword())?.as_str()
    }

    /// The keyword holding a document's id: `id` in draft-04, `$id` after.
    pub fn id_keyword(self) -> &'static str {
        if self == Draft::Draft4 {
            "id"
        } else {
            "$id"
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn drafts_are_read_from_schema_uris() {
        assert_eq!(Draft::from_uri("http://json-schema.org/draft-04/schema#"), Some(Draft::Draft4));
        assert_eq!(Draft::from_uri("https://json-schema.org/draft-07/schema"), Some(Draft::Draft7));
        assert_eq!(Draft::from_uri("https://json-schema.org/draft/2020-12/schema"), Some(Draft::Draft2020_12));
        assert_eq!(Draft::from_uri("http://json-schema.org/draft-03/schema#"), None);
        assert_eq!(Draft::of(&json!({}), Draft::Draft7), Ok(Draft::Draft7));
        assert!(!Draft::Draft7.ref_siblings_apply() && Draft::Draft2019_09.ref_siblings_apply());
        assert_eq!(Draft::Draft4.id_keyword(), "id");
        let legacy = json!({"$schema": "http://json-schema.org/draft-04/schema#", "id": "a", "$id": "b"});
        assert_eq!(Draft::declared_id(&legacy, Draft::Draft2020_12), Some("a"));
        assert_eq!(Draft::declared_id(&json!({"id": "a", "$id": "b"}), Draft::Draft7), Some("b"));
        assert_eq!(Draft::declared_id(&json!({"id": "a"}), Draft::Draft4), Some("a"));
    }
}
