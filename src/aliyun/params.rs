//! Typed reading of RPC parameters: required values, booleans, numbers, enums, JSON-array
//! strings and flattened lists (`Tag.1.Key`), each failing with the documented error.

use std::collections::BTreeMap;

use super::error::{ApiError, Dialect, ErrorCode};
use crate::domain::call::ClientToken;

/// The longest ClientToken either product accepts.
pub const MAX_CLIENT_TOKEN: usize = 64;

/// The merged query and form parameters of one request.
#[derive(Debug, Clone)]
pub struct Params {
    map: BTreeMap<String, String>,
    /// Which product's wording errors use.
    pub dialect: Dialect,
}

impl Params {
    /// Wraps already merged parameters.
    pub fn new(map: BTreeMap<String, String>, dialect: Dialect) -> Self {
        Self { map, dialect }
    }

    /// Shows every parameter, as sent, to `f` (the request log, which removes secrets).
    pub fn visit(&self, f: &mut dyn FnMut(&str, &str)) {
        for (k, v) in &self.map {
            f(k, v);
        }
    }

    /// The raw value; an empty value counts as absent (the gateway treats it so).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.map
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// An owned optional string.
    pub fn string(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_owned)
    }

    /// A required value.
    ///
    /// # Errors
    /// `Missing<Name>` when absent or empty.
    pub fn required(&self, name: &str) -> Result<String, ApiError> {
        self.string(name).ok_or_else(|| ApiError::missing(name))
    }

    /// The dialect's invalid-parameter error for `name`.
    pub fn invalid(&self, name: &str) -> ApiError {
        ApiError::invalid(self.dialect, name)
    }

    /// A boolean in any letter case (`true`, `True`, `TRUE`).
    ///
    /// # Errors
    /// InvalidParameter for anything else.
    pub fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(_) => Err(self.invalid(name)),
        }
    }

    /// An integer within `min..=max`.
    ///
    /// # Errors
    /// InvalidParameter when not an integer or out of range.
    pub fn int(&self, name: &str, min: i64, max: i64) -> Result<Option<i64>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => match v.trim().parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
                _ => Err(self.invalid(name)),
            },
        }
    }

    /// One of the allowed values (exact case).
    ///
    /// # Errors
    /// InvalidParameter for any other value.
    pub fn one_of(&self, name: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if allowed.contains(&v) => Ok(Some(v.to_owned())),
            Some(_) => Err(self.invalid(name)),
        }
    }

    /// A string of at most `max` characters.
    ///
    /// # Errors
    /// InvalidParameter when longer.
    pub fn text(&self, name: &str, max: usize) -> Result<Option<String>, ApiError> {
        match self.get(name) {
            Some(v) if v.chars().count() > max => Err(self.invalid(name)),
            v => Ok(v.map(str::to_owned)),
        }
    }

    /// A text parameter that must satisfy `valid` (see `aliyun::names`).
    ///
    /// # Errors
    /// `malformed()` when it does not.
    pub fn checked(
        &self,
        name: &str,
        valid: fn(&str) -> bool,
        malformed: impl FnOnce() -> ApiError,
    ) -> Result<Option<String>, ApiError> {
        match self.get(name) {
            Some(v) if !valid(v) => Err(malformed()),
            v => Ok(v.map(str::to_owned)),
        }
    }

    /// A JSON array of strings inside one parameter (`InstanceIds=["i-a","i-b"]`), at most `max`.
    /// `Some(vec![])` for an explicit `[]`: an active filter matching nothing.
    ///
    /// # Errors
    /// `on_error` when it is not a JSON array of strings or is too long.
    pub fn json_list(
        &self,
        name: &str,
        max: usize,
        on_error: impl Fn() -> ApiError,
    ) -> Result<Option<Vec<String>>, ApiError> {
        let Some(raw) = self.get(name) else {
            return Ok(None);
        };
        let list: Vec<String> = serde_json::from_str(raw).map_err(|_| on_error())?;
        if list.len() > max {
            return Err(on_error());
        }
        Ok(Some(list))
    }

    /// A comma-separated list (`PairIds=a,b`), blanks dropped.
    pub fn comma_list(&self, name: &str) -> Option<Vec<String>> {
        self.get(name).map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
    }

    /// A repeated list `Name.1`, `Name.2`, … in index order.
    pub fn repeated(&self, name: &str) -> Vec<String> {
        self.indexed(name)
            .into_values()
            .filter_map(|mut m| m.remove(""))
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// Flattened objects `Prefix.N.Field` (and `Prefix.N` under the field ""), by index N.
    pub fn indexed(&self, prefix: &str) -> BTreeMap<u32, BTreeMap<String, String>> {
        let mut out: BTreeMap<u32, BTreeMap<String, String>> = BTreeMap::new();
        let dotted = format!("{prefix}.");
        for (k, v) in self.map.range(dotted.clone()..) {
            let Some(rest) = k.strip_prefix(&dotted) else {
                break;
            };
            let (idx, field) = rest.split_once('.').unwrap_or((rest, ""));
            if let Ok(i) = idx.parse::<u32>() {
                out.entry(i)
                    .or_default()
                    .insert(field.to_owned(), v.clone());
            }
        }
        out
    }

    /// Tags `Tag.N.Key` / `Tag.N.Value`, at most 20, every Key present.
    ///
    /// # Errors
    /// InvalidParameter naming `Tag.N.Key` when a value has no key, or for more than 20 tags.
    pub fn tags(&self) -> Result<Vec<(String, String)>, ApiError> {
        let mut tags = Vec::new();
        for (i, fields) in self.indexed("Tag") {
            let key = fields.get("Key").filter(|k| !k.is_empty());
            match key {
                Some(k) => tags.push((k.clone(), fields.get("Value").cloned().unwrap_or_default())),
                None if fields.values().all(String::is_empty) => {}
                None if self.dialect != Dialect::Ebs => return Err(ErrorCode::TagMismatch.into()),
                None => return Err(self.invalid(&format!("Tag.{i}.Key"))),
            }
        }
        if tags.len() > 20 {
            return Err(match self.dialect {
                Dialect::Ecs | Dialect::Vpc => ErrorCode::TagCount.into(),
                Dialect::Ebs => self.invalid("Tag"),
            });
        }
        Ok(tags)
    }

    /// `ClientToken`: at most 64 ASCII characters, as both products document it.
    ///
    /// # Errors
    /// ECS `400 InvalidClientToken.ValueNotSupported`; EBS `400 InvalidParameter`.
    pub fn client_token(&self) -> Result<Option<ClientToken>, ApiError> {
        match self.get("ClientToken") {
            None => Ok(None),
            Some(t) if t.is_ascii() && t.len() <= MAX_CLIENT_TOKEN => Ok(Some(ClientToken {
                token: t.to_owned(),
            })),
            Some(_) => Err(match self.dialect {
                Dialect::Ecs | Dialect::Vpc => ErrorCode::InvalidClientToken.into(),
                Dialect::Ebs => self.invalid("ClientToken"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Params {
        Params::new(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            Dialect::Ecs,
        )
    }

    #[test]
    fn booleans_in_any_case() {
        let ps = p(&[("A", "True"), ("B", "false"), ("C", "yes")]);
        assert_eq!(ps.bool("A").unwrap(), Some(true));
        assert_eq!(ps.bool("B").unwrap(), Some(false));
        assert_eq!(ps.bool("Z").unwrap(), None);
        assert_eq!(ps.bool("C").unwrap_err().code, "InvalidParameter");
    }

    #[test]
    fn flattened_lists_and_tags() {
        let ps = p(&[
            ("Tag.2.Key", "b"),
            ("Tag.1.Key", "a"),
            ("Tag.1.Value", "1"),
            ("InstanceId.2", "i-2"),
            ("InstanceId.1", "i-1"),
        ]);
        assert_eq!(
            ps.tags().unwrap(),
            vec![("a".into(), "1".into()), ("b".into(), String::new())]
        );
        assert_eq!(ps.repeated("InstanceId"), vec!["i-1", "i-2"]);
        assert_eq!(
            p(&[("Tag.1.Value", "x")]).tags().unwrap_err().code,
            "InvalidTag.Mismatch"
        );
        let mut ebs = p(&[("Tag.1.Value", "x")]);
        ebs.dialect = Dialect::Ebs;
        assert_eq!(
            ebs.tags().unwrap_err().message,
            "The parameter Tag.1.Key is invalid."
        );
    }

    #[test]
    fn json_lists() {
        let err = || ApiError::invalid(Dialect::Ecs, "InstanceIds");
        assert_eq!(
            p(&[("I", "[\"i-a\"]")]).json_list("I", 100, err).unwrap(),
            Some(vec!["i-a".to_owned()])
        );
        assert_eq!(
            p(&[("I", "[]")]).json_list("I", 100, err).unwrap(),
            Some(vec![])
        );
        assert!(p(&[("I", "i-a")]).json_list("I", 100, err).is_err());
        assert!(p(&[("I", "[1]")]).json_list("I", 100, err).is_err());
    }

    #[test]
    fn required_and_ranges() {
        let ps = p(&[("Size", "20"), ("Empty", "")]);
        assert_eq!(ps.required("Empty").unwrap_err().code, "MissingEmpty");
        assert_eq!(ps.int("Size", 1, 10).unwrap_err().status, 400);
        assert_eq!(ps.int("Size", 1, 100).unwrap(), Some(20));
    }
}
