//! Alibaba's rules for the names and descriptions a caller sets: length, allowed characters,
//! first character, and no `http://` / `https://` prefix, as the API reference states them.

use super::reply::forbidden_in_xml;

/// Neither a name nor a description may start with a URL scheme.
fn starts_like_a_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

/// A resource name (`DiskName`, `InstanceName`, `PairName`, `GroupName`, …): 2 to 128
/// characters, starting with a letter (of any script, so Chinese too), then letters, digits,
/// colons, underscores, periods and hyphens.
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    let first_is_letter = chars.next().is_some_and(char::is_alphabetic);
    first_is_letter
        && (2..=128).contains(&s.chars().count())
        && chars.all(|c| c.is_alphanumeric() || matches!(c, ':' | '_' | '.' | '-'))
        && !starts_like_a_url(s)
}

/// A description: 2 to 256 characters, not starting with `http://` or `https://`. The reference
/// restricts no characters; those XML 1.0 forbids are refused all the same, since no XML
/// answer could carry them.
pub fn is_description(s: &str) -> bool {
    (2..=256).contains(&s.chars().count())
        && !starts_like_a_url(s)
        && !s.chars().any(forbidden_in_xml)
}

/// A host name (the rules for Linux and other non-Windows images, the longer of the two): 2 to
/// 64 characters in segments separated by periods; each segment non-empty, of ASCII letters,
/// digits and hyphens, neither starting nor ending with a hyphen.
pub fn is_host_name(s: &str) -> bool {
    (2..=64).contains(&s.len())
        && s.split('.').all(|seg| {
            !seg.is_empty()
                && !seg.starts_with('-')
                && !seg.ends_with('-')
                && seg.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// A tag key: 1 to 128 characters, not starting with `aliyun` or `acs:`, without `http://` or
/// `https://`.
pub fn is_tag_key(s: &str) -> bool {
    (1..=128).contains(&s.chars().count())
        && !s.starts_with("aliyun")
        && !s.starts_with("acs:")
        && !s.contains("http://")
        && !s.contains("https://")
        && !s.chars().any(forbidden_in_xml)
}

/// A tag value: up to 128 characters (empty allowed), without `http://` or `https://`.
pub fn is_tag_value(s: &str) -> bool {
    s.chars().count() <= 128
        && !s.contains("http://")
        && !s.contains("https://")
        && !s.chars().any(forbidden_in_xml)
}

/// A logon password: 8 to 30 characters from at least three of upper case, lower case,
/// digits and the documented special characters.
pub fn is_password(s: &str) -> bool {
    const SPECIAL: &str = "()`~!@#$%^&*-_+=|{}[]:;'<>,.?/";
    let classes = [
        s.chars().any(|c| c.is_ascii_uppercase()),
        s.chars().any(|c| c.is_ascii_lowercase()),
        s.chars().any(|c| c.is_ascii_digit()),
        s.chars().any(|c| SPECIAL.contains(c)),
    ];
    (8..=30).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || SPECIAL.contains(c))
        && classes.iter().filter(|b| **b).count() >= 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in [
            "ab",
            "data-1",
            "web:01_a.b",
            "磁盘一",
            "Zz",
            &"a".repeat(128),
        ] {
            assert!(is_name(ok), "{ok:?}");
        }
        for bad in [
            "",
            "a",
            "1bad",
            "-x",
            "has space",
            "tab\tname",
            "bell\u{7}",
            "http://x",
            "https://x",
            "slash/name",
            &"a".repeat(129),
        ] {
            assert!(!is_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn descriptions() {
        for ok in [
            "ab",
            "a first data disk",
            "line\none",
            "中文 ü+=&<>",
            &"d".repeat(256),
        ] {
            assert!(is_description(ok), "{ok:?}");
        }
        for bad in [
            "",
            "x",
            "http://x",
            "https://x",
            "nul\u{0}",
            "\u{ffff}x",
            &"d".repeat(257),
        ] {
            assert!(!is_description(bad), "{bad:?}");
        }
    }

    #[test]
    fn host_names() {
        for ok in ["ab", "web-01", "a.b.c", "k8s-node-0001", &"h".repeat(64)] {
            assert!(is_host_name(ok), "{ok:?}");
        }
        for bad in [
            "",
            "a",
            "-web",
            "web-",
            "a..b",
            ".a",
            "a.",
            "under_score",
            "sp ace",
            &"h".repeat(65),
        ] {
            assert!(!is_host_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn tags_and_passwords() {
        assert!(is_tag_key("env") && is_tag_key(&"k".repeat(128)));
        for bad in ["", "aliyun-x", "acs:x", "a http://b", &"k".repeat(129)] {
            assert!(!is_tag_key(bad), "{bad:?}");
        }
        assert!(is_tag_value("") && is_tag_value(&"v".repeat(128)));
        assert!(!is_tag_value(&"v".repeat(129)) && !is_tag_value("https://x"));
        assert!(is_password("Abcdef12") && is_password("abc-def-12"));
        for bad in [
            "Abc12",
            "abcdefgh",
            "Abcdefgh",
            "Abcdef12 ",
            &"Ab1".repeat(11),
        ] {
            assert!(!is_password(bad), "{bad:?}");
        }
    }
}
