//! Semantic versions as Cargo orders them, and the version requirements the generated
//! `Cargo.toml` writes (`"1.2.3"` or `"^1.2.3"`, `"~1.2"`, `"=1.2.3"`, `"*"`), enough to find
//! which locked version a dependency resolved to.

use std::cmp::Ordering;

/// A version `major.minor.patch[-pre][+build]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Version<'a> {
    major: u64,
    minor: u64,
    patch: u64,
    pre: &'a str,
    build: &'a str,
}

impl<'a> Version<'a> {
    /// Reads `text`; `None` when it is not a semantic version.
    pub(super) fn parse(text: &'a str) -> Option<Self> {
        let (rest, build) = text.split_once('+').unwrap_or((text, ""));
        let (core, pre) = rest.split_once('-').unwrap_or((rest, ""));
        let mut numbers = core.split('.').map(number);
        let version = Version {
            major: numbers.next()??,
            minor: numbers.next()??,
            patch: numbers.next()??,
            pre,
            build,
        };
        numbers.next().is_none().then_some(version)
    }
}

impl Ord for Version<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                // A pre-release comes before its release.
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => identifiers(self.pre, other.pre),
            })
            .then_with(|| identifiers(self.build, other.build))
    }
}

impl PartialOrd for Version<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Dot-separated identifiers: numbers numerically and before words, words bytewise, and a
/// shorter list first when one is the start of the other.
fn identifiers(a: &str, b: &str) -> Ordering {
    let mut left = a.split('.').filter(|s| !s.is_empty());
    let mut right = b.split('.').filter(|s| !s.is_empty());
    loop {
        let order = match (left.next(), right.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => match (number(x), number(y)) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => x.cmp(y),
            },
        };
        if order != Ordering::Equal {
            return order;
        }
    }
}

fn number(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Whether `version` satisfies the requirement `requirement` (one comparator; releases only,
/// as Cargo picks no pre-release for a requirement without one). `None` when the requirement
/// is of a form this reader does not know.
pub(super) fn matches(requirement: &str, version: &Version<'_>) -> Option<bool> {
    let requirement = requirement.trim();
    if requirement == "*" {
        return Some(version.pre.is_empty());
    }
    let (operator, rest) = match requirement.as_bytes().first()? {
        b'^' | b'~' | b'=' => requirement.split_at(1),
        _ => ("^", requirement),
    };
    let mut parts = rest.trim().split('.');
    let major = number(parts.next()?)?;
    let minor = parts
        .next()
        .map(number)
        .map_or(Some(None), |n| n.map(Some))?;
    let patch = parts
        .next()
        .map(number)
        .map_or(Some(None), |n| n.map(Some))?;
    if parts.next().is_some() {
        return None;
    }
    if !version.pre.is_empty() {
        return Some(false);
    }
    let at_least = (version.major, version.minor, version.patch)
        >= (major, minor.unwrap_or(0), patch.unwrap_or(0));
    let same = |m: Option<u64>, v: u64| m.is_none_or(|m| m == v);
    let compatible = match operator {
        "=" => version.major == major && same(minor, version.minor) && same(patch, version.patch),
        "~" => version.major == major && same(minor, version.minor),
        // Caret: the leftmost non-zero part given stays; `0.0.x` and `0.0` pin further.
        _ => match (major, minor, patch) {
            (0, None, _) => version.major == 0,
            (0, Some(0), None) => version.major == 0 && version.minor == 0,
            (0, Some(0), Some(p)) => (version.major, version.minor, version.patch) == (0, 0, p),
            (0, Some(m), _) => version.major == 0 && version.minor == m,
            (m, _, _) => version.major == m,
        },
    };
    Some(at_least && compatible)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version<'_> {
        Version::parse(text).expect("a version")
    }

    #[test]
    fn versions_order_by_number_then_pre_release() {
        let sorted = [
            "0.1.0",
            "0.9.0",
            "0.10.0",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.0+build",
            "1.2.3",
        ];
        for pair in sorted.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
    }

    #[test]
    fn what_is_not_a_version_is_refused() {
        for text in ["", "1", "1.2", "1.2.3.4", "a.b.c", "1.2.x"] {
            assert_eq!(Version::parse(text), None, "{text}");
        }
    }

    #[test]
    fn requirements_match_as_cargo_reads_them() {
        let cases = [
            ("0.8.9", "0.8.12", true),
            ("0.8.9", "0.8.8", false),
            ("0.8.9", "0.9.0", false),
            ("1.13.2", "1.99.0", true),
            ("1.13.2", "2.0.0", false),
            ("^1.0", "1.5.0", true),
            ("0.0.3", "0.0.4", false),
            ("0.0", "0.0.9", true),
            ("0", "0.7.0", true),
            ("~1.2", "1.2.9", true),
            ("~1.2", "1.3.0", false),
            ("=1.2.3", "1.2.3", true),
            ("=1.2.3", "1.2.4", false),
            ("*", "3.0.0", true),
            ("1.0.0", "1.1.0-rc.1", false),
        ];
        for (requirement, version, expected) in cases {
            assert_eq!(
                matches(requirement, &v(version)),
                Some(expected),
                "{requirement} against {version}"
            );
        }
        assert_eq!(matches(">=1, <2", &v("1.0.0")), None);
    }
}
