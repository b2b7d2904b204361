//! JSON pointer tokens (RFC 6901), used wherever a schema position is named. Imports nothing of
//! ours.

/// Escapes one token: `~` becomes `~0`, `/` becomes `~1`.
pub(crate) fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The token as written: `~1` is `/`, `~0` is `~`.
pub(crate) fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// The last token of a pointer, unescaped (`/$defs/a~1b` → `a/b`); empty for the root.
pub(crate) fn last_token(pointer: &str) -> String {
    pointer.rsplit('/').next().map(unescape).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip() {
        for token in ["a", "a/b", "~", "~1", "x~0/y", ""] {
            assert_eq!(unescape(&escape(token)), token);
        }
        assert_eq!(escape("a/b~c"), "a~1b~0c");
        assert_eq!(last_token("/$defs/a~1b"), "a/b");
        assert_eq!(last_token(""), "");
    }
}
