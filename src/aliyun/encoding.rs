//! Alibaba Cloud's percent-encoding (`pe`, used by both signature schemes) and the strict decoding of query strings and form bodies.

use std::fmt;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Every byte except `A-Z a-z 0-9 - _ . ~` is escaped. This is RFC 3986's unreserved set, which
/// both signature schemes use when they build canonical strings.
const ESCAPED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Alibaba percent-encoding: keeps `A-Z a-z 0-9 - _ . ~`, writes every other UTF-8 byte as `%XX`
/// with upper-case hex digits (space → `%20`, `*` → `%2A`, `+` → `%2B`, `/` → `%2F`).
pub fn pe(s: &str) -> String {
    utf8_percent_encode(s, ESCAPED).to_string()
}

/// Appends `pe(s)` to `out` without an intermediate allocation (canonical strings are built from
/// many small pieces on every request).
pub fn push_pe(out: &mut String, s: &str) {
    out.extend(utf8_percent_encode(s, ESCAPED));
}

/// Why a query string or form body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// A `%` not followed by two hex digits.
    Malformed {
        /// The parameter whose value is broken; `None` when the name itself is.
        name: Option<String>,
    },
    /// The decoded bytes are not UTF-8.
    NotUtf8 {
        /// The parameter whose value is broken; `None` when the name itself is.
        name: Option<String>,
    },
}

impl DecodeError {
    /// The offending parameter's name, when it could be decoded.
    pub fn name(&self) -> Option<&str> {
        match self {
            Self::Malformed { name } | Self::NotUtf8 { name } => name.as_deref(),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self {
            Self::Malformed { .. } => "malformed percent-encoding",
            Self::NotUtf8 { .. } => "bytes that are not UTF-8",
        };
        match self.name() {
            Some(name) => write!(f, "{what} in the value of parameter {name:?}"),
            None => write!(f, "{what} in a parameter name"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Which part of a `name=value` item failed, before the name is attached.
enum ComponentError {
    Malformed,
    NotUtf8,
}

impl ComponentError {
    fn named(self, name: Option<&str>) -> DecodeError {
        let name = name.map(str::to_owned);
        match self {
            Self::Malformed => DecodeError::Malformed { name },
            Self::NotUtf8 => DecodeError::NotUtf8 { name },
        }
    }
}

/// Decodes an `application/x-www-form-urlencoded` string (a query string uses the same rules):
/// items split on `&`, each split at its first `=` (no `=` means an empty value), `+` is a space,
/// `%XX` is a byte. Empty items are skipped; pairs keep their wire order, duplicates included.
///
/// Unlike lenient decoders this refuses a `%` that is not followed by two hex digits and decoded
/// bytes that are not UTF-8: a signature computed over a guessed interpretation would be wrong
/// anyway, and the caller can say precisely which parameter is broken.
pub fn form_decode(input: &[u8]) -> Result<Vec<(String, String)>, DecodeError> {
    let mut pairs = Vec::new();
    for item in input.split(|b| *b == b'&') {
        if item.is_empty() {
            continue;
        }
        let (raw_name, raw_value) = match item.iter().position(|b| *b == b'=') {
            Some(eq) => (&item[..eq], &item[eq + 1..]),
            None => (item, &item[item.len()..]),
        };
        let name = decode_component(raw_name).map_err(|e| e.named(None))?;
        let value = decode_component(raw_value).map_err(|e| e.named(Some(&name)))?;
        pairs.push((name, value));
    }
    Ok(pairs)
}

/// One name or value: `+` → space, `%XX` → byte, then UTF-8.
fn decode_component(raw: &[u8]) -> Result<String, ComponentError> {
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => {
                bytes.push(b' ');
                i += 1;
            }
            b'%' => {
                let hi = raw.get(i + 1).and_then(|b| hex_digit(*b));
                let lo = raw.get(i + 2).and_then(|b| hex_digit(*b));
                let (Some(hi), Some(lo)) = (hi, lo) else {
                    return Err(ComponentError::Malformed);
                };
                bytes.push(hi << 4 | lo);
                i += 3;
            }
            other => {
                bytes.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8(bytes).map_err(|_| ComponentError::NotUtf8)
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn pe_keeps_only_unreserved() {
        assert_eq!(pe("AZaz09-_.~"), "AZaz09-_.~");
        assert_eq!(pe("a b*c+d/e"), "a%20b%2Ac%2Bd%2Fe");
        assert_eq!(
            pe("'()!&=:,;@$?#[]%\"<>"),
            "%27%28%29%21%26%3D%3A%2C%3B%40%24%3F%23%5B%5D%25%22%3C%3E"
        );
        assert_eq!(pe("中文 ü"), "%E4%B8%AD%E6%96%87%20%C3%BC");
        assert_eq!(pe("\n\u{7f}"), "%0A%7F");
        assert_eq!(pe(""), "");
    }

    #[test]
    fn push_pe_appends() {
        let mut s = String::from("x=");
        push_pe(&mut s, "a b");
        assert_eq!(s, "x=a%20b");
    }

    #[test]
    fn decodes_plus_and_percent() {
        let got =
            form_decode(b"InstanceId=i-test1&Tag.1.Key=a+b&Tag.1.Value=x%2Ay&P=%2B%2b").unwrap();
        assert_eq!(
            got,
            pairs(&[
                ("InstanceId", "i-test1"),
                ("Tag.1.Key", "a b"),
                ("Tag.1.Value", "x*y"),
                ("P", "++"),
            ])
        );
    }

    #[test]
    fn keeps_raw_sub_delims_and_utf8() {
        let got = form_decode(b"D=a%20b*~'()!%2F%E4%B8%AD").unwrap();
        assert_eq!(got, pairs(&[("D", "a b*~'()!/中")]));
    }

    #[test]
    fn item_shapes() {
        let got = form_decode(b"&a=1&&b&c=&d=x=y&=v&").unwrap();
        assert_eq!(
            got,
            pairs(&[("a", "1"), ("b", ""), ("c", ""), ("d", "x=y"), ("", "v")])
        );
        assert_eq!(form_decode(b"").unwrap(), Vec::new());
    }

    #[test]
    fn keeps_duplicates_in_wire_order() {
        let got = form_decode(b"a=2&b=1&a=1").unwrap();
        assert_eq!(got, pairs(&[("a", "2"), ("b", "1"), ("a", "1")]));
    }

    #[test]
    fn malformed_percent_names_the_parameter() {
        let err = form_decode(b"ok=1&Bad=%zz").unwrap_err();
        assert_eq!(
            err,
            DecodeError::Malformed {
                name: Some("Bad".into())
            }
        );
        assert_eq!(err.name(), Some("Bad"));
        assert!(err.to_string().contains("\"Bad\""));

        let err = form_decode(b"Trailing=%4").unwrap_err();
        assert_eq!(err.name(), Some("Trailing"));
        assert!(matches!(err, DecodeError::Malformed { .. }));

        assert!(matches!(
            form_decode(b"Alone=%").unwrap_err(),
            DecodeError::Malformed { .. }
        ));
        assert!(matches!(
            form_decode(b"Sign=%+1").unwrap_err(),
            DecodeError::Malformed { .. }
        ));
    }

    #[test]
    fn malformed_name_has_no_name() {
        let err = form_decode(b"a%g1=1").unwrap_err();
        assert_eq!(err, DecodeError::Malformed { name: None });
        assert_eq!(
            err.to_string(),
            "malformed percent-encoding in a parameter name"
        );
    }

    #[test]
    fn not_utf8_is_refused() {
        let err = form_decode(b"X=%FF%FE").unwrap_err();
        assert_eq!(
            err,
            DecodeError::NotUtf8 {
                name: Some("X".into())
            }
        );
        // A truncated multi-byte sequence.
        assert!(matches!(
            form_decode(b"X=%E4%B8").unwrap_err(),
            DecodeError::NotUtf8 { .. }
        ));
        // Raw non-UTF-8 bytes, not only escaped ones.
        assert_eq!(
            form_decode(b"\xff=1").unwrap_err(),
            DecodeError::NotUtf8 { name: None }
        );
    }

    #[test]
    fn decode_then_pe_normalises_every_client_style() {
        // The same value as Python Tea (`+`), Node Tea (raw `*'()!`) and RFC 3986 clients send it.
        let wires: [&[u8]; 3] = [
            b"D=desc+with+spaces+%26+symbols+%2A~%27%28%29%21%2F+%E4%B8%AD%E6%96%87+%C3%BC%2B%3D",
            b"D=desc%20with%20spaces%20%26%20symbols%20*~%27()!%2F%20%E4%B8%AD%E6%96%87%20%C3%BC%2B%3D",
            b"D=desc%20with%20spaces%20%26%20symbols%20%2A~%27%28%29%21%2F%20%E4%B8%AD%E6%96%87%20%C3%BC%2B%3D",
        ];
        for wire in wires {
            let got = form_decode(wire).unwrap();
            assert_eq!(got[0].1, "desc with spaces & symbols *~'()!/ 中文 ü+=");
            assert_eq!(
                pe(&got[0].1),
                "desc%20with%20spaces%20%26%20symbols%20%2A~%27%28%29%21%2F%20%E4%B8%AD%E6%96%87%20%C3%BC%2B%3D"
            );
        }
    }
}
