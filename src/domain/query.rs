//! Shared pieces of every Describe: which page is asked for, page selection over sorted ids, tag
//! filters and name patterns.

use std::collections::BTreeSet;
use std::ops::Bound;

/// Which page a Describe call asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageRequest {
    /// Up to `size` ids after `after` (the previous page's last id).
    After {
        /// The previous page's last id, if any.
        after: Option<String>,
        /// Page size.
        size: usize,
    },
    /// A 1-based page number and its size.
    Number {
        /// Page number.
        number: usize,
        /// Page size.
        size: usize,
    },
    /// `size` items from the 0-based position `offset`.
    Offset {
        /// First item.
        offset: usize,
        /// Page size.
        size: usize,
    },
}

impl PageRequest {
    /// The position of the page's first item, for numbered and offset pages (0 for `After`).
    pub fn offset(&self) -> usize {
        match self {
            Self::After { .. } => 0,
            Self::Number { number, size } => number.saturating_sub(1).saturating_mul(*size),
            Self::Offset { offset, .. } => *offset,
        }
    }

    /// Items per page.
    pub fn size(&self) -> usize {
        match self {
            Self::After { size, .. } | Self::Number { size, .. } | Self::Offset { size, .. } => {
                *size
            }
        }
    }
}

/// One page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items, in id order.
    pub items: Vec<T>,
    /// The last id of this page when more follow, else empty.
    pub next_token: String,
    /// How many items match in all.
    pub total: usize,
}

/// Selects a page of ids from `set`. Without a filter (`keep` = None) it walks only the page; with
/// one it must test every id to count the matches (a cheap test on stored fields, no settling).
pub fn select<'a>(
    set: &'a BTreeSet<String>,
    req: &PageRequest,
    keep: Option<&dyn Fn(&str) -> bool>,
) -> Page<&'a str> {
    let size = req.size();
    let (mut items, total): (Vec<&str>, usize) = match keep {
        None => {
            let items = match req {
                PageRequest::After { after, .. } => {
                    after_token(set, after.as_deref()).take(size + 1).collect()
                }
                PageRequest::Number { .. } | PageRequest::Offset { .. } => set
                    .iter()
                    .map(String::as_str)
                    .skip(req.offset())
                    .take(size + 1)
                    .collect(),
            };
            (items, set.len())
        }
        Some(keep) => {
            let all: Vec<&str> = set
                .iter()
                .map(String::as_str)
                .filter(|id| keep(id))
                .collect();
            let total = all.len();
            let start = match req {
                PageRequest::After { after: None, .. } => 0,
                PageRequest::After { after: Some(t), .. } => {
                    all.partition_point(|id| *id <= t.as_str())
                }
                PageRequest::Number { .. } | PageRequest::Offset { .. } => req.offset(),
            };
            let items = all.into_iter().skip(start).take(size + 1).collect();
            (items, total)
        }
    };
    let more = items.len() > size;
    items.truncate(size);
    let next_token = if more {
        items.last().map(|s| (*s).to_owned()).unwrap_or_default()
    } else {
        String::new()
    };
    Page {
        items,
        next_token,
        total,
    }
}

fn after_token<'a>(
    set: &'a BTreeSet<String>,
    after: Option<&str>,
) -> impl Iterator<Item = &'a str> + 'a {
    let lower = after.map_or(Bound::Unbounded, |t| Bound::Excluded(t.to_owned()));
    set.range::<String, _>((lower, Bound::Unbounded))
        .map(String::as_str)
}

/// One page of `items` (already filtered and in order): for numbered and offset pages, not for
/// `After` (whose cursor is an id; see [`select`]).
pub fn slice<T>(items: Vec<T>, req: &PageRequest) -> Page<T> {
    let total = items.len();
    let start = req.offset().min(total);
    let end = start.saturating_add(req.size()).min(total);
    Page {
        items: items.into_iter().skip(start).take(end - start).collect(),
        next_token: String::new(),
        total,
    }
}

/// True when every wanted tag is present (an empty wanted value matches any value).
pub fn has_tags(have: &[(String, String)], want: &[(String, String)]) -> bool {
    want.iter().all(|(k, v)| {
        have.iter()
            .any(|(hk, hv)| hk == k && (v.is_empty() || hv == v))
    })
}

/// `Name*` style wildcard match: `*` stands for any run of characters.
pub fn wildcard(pattern: &str, s: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == s,
        Some((head, tail)) => {
            s.len() >= head.len() && s.starts_with(head) && {
                let rest = &s[head.len()..];
                if tail.contains('*') {
                    (0..=rest.len()).any(|i| rest.is_char_boundary(i) && wildcard(tail, &rest[i..]))
                } else {
                    rest.ends_with(tail)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(n: usize) -> BTreeSet<String> {
        (0..n).map(|i| format!("pair-{i:04}")).collect()
    }

    #[test]
    fn token_walk_covers_everything_once() {
        let s = set(25);
        let mut after = None;
        let mut seen = Vec::new();
        loop {
            let page = select(&s, &PageRequest::After { after, size: 10 }, None);
            assert_eq!(page.total, 25);
            seen.extend(page.items.iter().map(|i| (*i).to_owned()));
            if page.next_token.is_empty() {
                break;
            }
            after = Some(page.next_token);
        }
        assert_eq!(seen, s.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn numbered_pages_and_filters() {
        let s = set(25);
        let p = select(
            &s,
            &PageRequest::Number {
                number: 3,
                size: 10,
            },
            None,
        );
        assert_eq!((p.items.len(), p.next_token.as_str()), (5, ""));
        let even = |id: &str| id.ends_with(['0', '2', '4', '6', '8']);
        let p = select(
            &s,
            &PageRequest::Number {
                number: 1,
                size: 10,
            },
            Some(&even),
        );
        assert_eq!((p.total, p.items.len()), (13, 10));
        assert_eq!(p.next_token, "pair-0018");
        let p = select(
            &s,
            &PageRequest::After {
                after: Some(p.next_token),
                size: 10,
            },
            Some(&even),
        );
        assert_eq!(p.items, vec!["pair-0020", "pair-0022", "pair-0024"]);
        assert!(p.next_token.is_empty());
    }

    #[test]
    fn offset_slices() {
        let p = slice(
            (0..25).collect(),
            &PageRequest::Offset {
                offset: 20,
                size: 10,
            },
        );
        assert_eq!((p.items, p.total), (vec![20, 21, 22, 23, 24], 25));
        let p = slice(
            (0..5).collect::<Vec<i32>>(),
            &PageRequest::Number {
                number: 3,
                size: 10,
            },
        );
        assert!(p.items.is_empty());
    }

    #[test]
    fn wildcards() {
        assert!(wildcard("web*", "web-1"));
        assert!(wildcard("*-1", "web-1"));
        assert!(wildcard("w*b*1", "web-1"));
        assert!(!wildcard("web*", "db-1"));
        assert!(wildcard("exact", "exact"));
    }
}
