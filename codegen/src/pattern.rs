//! `pattern`s are ECMA-262 regular expressions; the generated crate matches them with the
//! `regex` crate, in time linear in the input. The two syntaxes mean different things in
//! places: `\d`, `\w`, `\s` and `.` cover more in `regex`; `\A`, `\z`, `\<`, `\pL` are anchors
//! or classes there and mere letters in ECMA-262; inside a class, `regex` reads `[`, `&&`, `--`
//! and `~~` as set operations. [`to_rust`] writes the ECMA-262 meaning out in `regex` syntax,
//! and refuses what it cannot translate faithfully.

/// ECMA-262 `\d`.
const DIGIT: &str = "0-9";
/// ECMA-262 `\w`.
const WORD: &str = "0-9A-Za-z_";
/// ECMA-262 `\s`: WhiteSpace and LineTerminator, in `\uXXXX` escapes both engines read.
const SPACE: &str = r"\t\n\v\f\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF";
/// ECMA-262 `.`: anything but a line terminator.
const DOT: &str = r"[^\n\r\u2028\u2029]";

/// The pattern in `regex` syntax, with its ECMA-262 meaning.
pub(crate) fn to_rust(pattern: &str) -> Result<String, String> {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut in_class = false;
    let mut chars = pattern.chars().peekable();
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
                    (None, _, _) => out.push_str(&plain_escape(escaped, &mut chars)?),
                }
                // `[\w-z]`: after a class, ECMA-262 reads `-` as itself, `regex` as a range.
                if class.is_some() && in_class && chars.peek() == Some(&'-') {
                    chars.next();
                    out.push_str(r"\-");
                }
            }
            '[' if !in_class => {
                let negated = chars.peek() == Some(&'^');
                let rest: String = chars.clone().skip(usize::from(negated)).take(1).collect();
                if rest == "]" {
                    return Err("`[]` and `[^]` are not supported".to_owned());
                }
                in_class = true;
                out.push('[');
                if negated {
                    chars.next();
                    out.push('^');
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            // Literal in an ECMA-262 class, set syntax in a `regex` one.
            '[' | '&' | '~' if in_class => {
                out.push('\\');
                out.push(c);
            }
            '.' if !in_class => out.push_str(DOT),
            _ => out.push(c),
        }
    }
    Ok(out)
}

/// An escape other than a class: control characters, `\xHH`, `\uHHHH` and escaped
/// punctuation keep their meaning; any other letter or digit escape is refused.
fn plain_escape(escaped: char, chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<String, String> {
    let hex = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>, count: usize| -> Option<String> {
        let digits: String = chars.clone().take(count).collect();
        (digits.len() == count && digits.chars().all(|c| c.is_ascii_hexdigit())).then(|| {
            chars.nth(count - 1);
            digits
        })
    };
    match escaped {
        't' | 'n' | 'v' | 'f' | 'r' => Ok(format!("\\{escaped}")),
        'x' => {
            hex(chars, 2).map(|digits| format!(r"\x{digits}")).ok_or_else(|| "`\\x` needs two hex digits".to_owned())
        }
        'u' => {
            hex(chars, 4).map(|digits| format!(r"\u{digits}")).ok_or_else(|| "`\\u` needs four hex digits".to_owned())
        }
        // `\<` and `\>` are word boundaries in `regex`.
        '<' | '>' => Err(format!("`\\{escaped}` is not supported")),
        c if c.is_ascii_punctuation() => Ok(format!("\\{c}")),
        c => Err(format!("the escape `\\{c}` is not supported (ECMA-262 and `regex` read it differently)")),
    }
}

#[cfg(test)]
mod tests {
    use super::to_rust;

    fn matches(pattern: &str, text: &str) -> bool {
        let translated = to_rust(pattern).unwrap();
        regex::Regex::new(&translated).unwrap().is_match(text)
    }

    #[test]
    fn classes_mean_what_ecma_262_says() {
        assert!(matches(r"^\d+$", "123"));
        assert!(!matches(r"^\d+$", "١٢٣"), "Arabic-Indic digits are not ECMA-262 digits");
        assert!(matches(r"^\D$", "١"), "…so `\\D` takes them");
        assert!(!matches(r"^\w+$", "café"));
        assert!(matches(r"^[\w-]+$", "a-b_c"));
        assert!(matches(r"^[\w-.]+$", "a.b-c"), "`-` after a class is itself");
        assert!(!matches(r"^[\w-z]$", "`"), "not a range from `_` to `z`");
        assert!(matches(r"^[^\d]+$", "abc"));
        assert!(matches(r"^\s$", "\u{feff}"), "ECMA-262 counts U+FEFF as white space");
        assert!(!matches(r"^\s$", "\u{85}"), "but not U+0085");
        assert!(matches(r"^\S+$", "abc"));
        assert!(matches(r"^[\D]$", "x"));
        assert!(!matches(r"^a.b$", "a\rb"), "`.` stops at line terminators");
        assert!(!matches(r"^a.b$", "a\u{2028}b"));
        assert!(matches(r"^a.b$", "a-b"));
        assert!(matches(r"^[a&&b]+$", "a&b"), "`&&` is literal in an ECMA-262 class");
        assert!(matches(r"^[[]$", "["));
    }

    #[test]
    fn escapes_keep_their_meaning_or_are_refused() {
        assert_eq!(to_rust(r"^a\.b\\c\u00e9\x41$").unwrap(), r"^a\.b\\c\u00e9\x41$");
        assert!(matches(r"^\u00e9\x41\t$", "éA\t"));
        assert!(to_rust(r"\bword\b").unwrap_err().contains("word boundary"));
        assert_eq!(to_rust(r"[\b]").unwrap(), r"[\x08]");
        for refused in ["a\\", r"\A", r"\z", r"\pL", r"\<", r"\x4", r"\u{41}", "[]", "[^]", r"\1"] {
            assert!(to_rust(refused).is_err(), "{refused}");
        }
    }
}
