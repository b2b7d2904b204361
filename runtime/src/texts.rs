//! The text attributes a [`crate::CloudEvent`] owns (`id`, `subject`, `time` as written, the
//! COPE idempotency key), kept in one allocation: decoding copies them out of the event's text
//! in one go instead of four, and drops them with one free.

use std::fmt;

/// An attribute kept in [`Texts`] besides `id`, which every event has.
#[derive(Clone, Copy)]
pub(crate) enum Optional {
    Subject = 1,
    Time = 2,
    IdempotencyKey = 3,
}

/// `id`, then each [`Optional`] attribute in order, when present, one after the other in `text`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Texts {
    text: Box<str>,
    /// Where each attribute ends in `text`, `id` first; an absent one ends where it starts.
    ends: [usize; 4],
    /// Whether each attribute is present (`id` always is).
    present: [bool; 4],
}

impl Texts {
    /// `id` and the optional attributes, in [`Optional`]'s order.
    pub(crate) fn new(id: &str, [subject, time, idempotency_key]: [Option<&str>; 3]) -> Texts {
        let values = [Some(id), subject, time, idempotency_key];
        let mut text = String::with_capacity(values.iter().flatten().map(|value| value.len()).sum());
        let mut ends = [0; 4];
        for (end, value) in ends.iter_mut().zip(values) {
            text.push_str(value.unwrap_or_default());
            *end = text.len();
        }
        // The capacity is the length: no reallocation.
        Texts { text: text.into_boxed_str(), ends, present: values.map(|value| value.is_some()) }
    }

    /// CloudEvents `id`.
    pub(crate) fn id(&self) -> &str {
        &self.text[..self.ends[0]]
    }

    pub(crate) fn get(&self, attribute: Optional) -> Option<&str> {
        let index = attribute as usize;
        self.present[index].then(|| &self.text[self.ends[index - 1]..self.ends[index]])
    }

    /// The same texts with `attribute` set to `value` (a builder's step, not decoding's).
    pub(crate) fn with(&self, attribute: Optional, value: &str) -> Texts {
        let mut values = [Optional::Subject, Optional::Time, Optional::IdempotencyKey].map(|other| self.get(other));
        values[attribute as usize - 1] = Some(value);
        Texts::new(self.id(), values)
    }
}

impl fmt::Debug for Texts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Texts")
            .field("id", &self.id())
            .field("subject", &self.get(Optional::Subject))
            .field("time", &self.get(Optional::Time))
            .field("idempotency_key", &self.get(Optional::IdempotencyKey))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::{Optional, Texts};

    #[test]
    fn each_attribute_reads_back_as_given_and_absent_ones_stay_absent() {
        let all = Texts::new("id-1", [Some("event:7"), Some("2026-05-05T12:00:00Z"), Some("")]);
        assert_eq!(all.id(), "id-1");
        assert_eq!(all.get(Optional::Subject), Some("event:7"));
        assert_eq!(all.get(Optional::Time), Some("2026-05-05T12:00:00Z"));
        assert_eq!(all.get(Optional::IdempotencyKey), Some(""), "present though empty");
        let some = Texts::new("", [None, Some("t"), None]);
        assert_eq!(some.id(), "");
        assert_eq!(some.get(Optional::Subject), None);
        assert_eq!(some.get(Optional::Time), Some("t"));
        assert_eq!(some.get(Optional::IdempotencyKey), None);
    }

    #[test]
    fn equal_exactly_when_every_attribute_is() {
        let texts = Texts::new("ab", [Some("c"), None, None]);
        assert_eq!(texts, Texts::new("ab", [Some("c"), None, None]));
        assert_ne!(texts, Texts::new("a", [Some("bc"), None, None]), "same text, other split");
        assert_ne!(texts, Texts::new("ab", [Some("c"), Some(""), None]), "an empty one is present");
        assert_ne!(texts, Texts::new("ab", [None, Some("c"), None]));
    }

    #[test]
    fn with_sets_one_attribute_and_keeps_the_others() {
        let texts = Texts::new("id", [Some("s"), None, Some("k")]);
        let timed = texts.with(Optional::Time, "2026-05-05T12:00:00Z");
        assert_eq!(timed, Texts::new("id", [Some("s"), Some("2026-05-05T12:00:00Z"), Some("k")]));
        assert_eq!(timed.with(Optional::IdempotencyKey, "other").get(Optional::IdempotencyKey), Some("other"));
        assert_eq!(
            timed.with(Optional::Subject, "x"),
            Texts::new("id", [Some("x"), Some("2026-05-05T12:00:00Z"), Some("k")])
        );
    }
}
