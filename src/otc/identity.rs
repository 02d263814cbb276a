//! Keystone's state: the configured users and projects (a project is one account in one
//! region), and the tokens issued, which expire after 24 virtual hours. Tokens are dialect
//! session state, not part of the world: a reset keeps them.

use std::collections::HashMap;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use crate::config::DEFAULT_ACCOUNT;
use crate::domain::catalog::Catalog;
use crate::domain::clock::Millis;

use super::vocab::DIALECT;

/// How long a token lives.
pub const TOKEN_LIFETIME_MS: Millis = 24 * 3_600 * 1_000;

/// The most tokens kept at once; past that expired ones go, then the oldest.
pub const MAX_TOKENS: usize = 10_000;

/// A user that can get tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Derived from the domain and name.
    pub id: String,
    /// Name.
    pub name: String,
    /// Password.
    pub password: String,
    /// Domain name.
    pub domain: String,
}

/// A project: the URL's `{project_id}`, one account in one region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// Derived from the name.
    pub id: String,
    /// Name.
    pub name: String,
    /// Its region.
    pub region: String,
    /// The account whose resources it sees (Alibaba calls of that account see them too).
    pub account: String,
}

/// An issued token.
#[derive(Debug, Clone)]
pub struct Token {
    /// The user it was issued to (index in the user list).
    pub user: usize,
    /// Its project scope, if any (index in the project list).
    pub project: Option<usize>,
    /// Issue time (virtual).
    pub issued_at: Millis,
    /// Expiry (virtual).
    pub expires_at: Millis,
}

/// Users, projects and tokens.
#[derive(Debug)]
pub struct Identity {
    /// Users.
    pub users: Vec<User>,
    /// Projects.
    pub projects: Vec<Project>,
    tokens: Mutex<HashMap<String, Token>>,
}

/// The id of a domain by name (`Default` is `default`, as in Keystone).
pub fn domain_id(name: &str) -> String {
    if name == "Default" {
        "default".to_owned()
    } else {
        hash_id("domain", name)
    }
}

fn hash_id(kind: &str, name: &str) -> String {
    let digest = Sha256::digest(format!("ecs-emulator {kind} {name}").as_bytes());
    hex::encode(&digest[..16])
}

impl Identity {
    /// From `--otc-user NAME:PASSWORD[:DOMAIN]` and `--otc-project NAME:REGION[:ACCOUNT]`
    /// values; each empty list takes the documented default (user `admin`/`admin` in domain
    /// `Default`; projects `eu-de` and `eu-nl`, each in its region, account 1000000000000001).
    ///
    /// # Errors
    /// A malformed value, or a region this dialect does not offer.
    pub fn from_config(
        users: &[String],
        projects: &[String],
        catalog: &Catalog,
    ) -> Result<Self, String> {
        let users = if users.is_empty() {
            vec!["admin:admin:Default".to_owned()]
        } else {
            users.to_vec()
        };
        let projects = if projects.is_empty() {
            vec!["eu-de:eu-de".to_owned(), "eu-nl:eu-nl".to_owned()]
        } else {
            projects.to_vec()
        };
        let users = users
            .iter()
            .map(|u| parse_user(u))
            .collect::<Result<Vec<_>, _>>()?;
        let projects = projects
            .iter()
            .map(|p| parse_project(p, catalog))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            users,
            projects,
            tokens: Mutex::new(HashMap::new()),
        })
    }

    /// The user with these credentials.
    pub fn user(&self, name: &str, password: &str, domain: Option<&str>) -> Option<usize> {
        self.users.iter().position(|u| {
            u.name == name
                && u.password == password
                && domain.is_none_or(|d| d == u.domain || d == domain_id(&u.domain))
        })
    }

    /// The project named by id, or by name.
    pub fn project(&self, id: Option<&str>, name: Option<&str>) -> Option<usize> {
        self.projects.iter().position(|p| {
            id.is_some_and(|i| i == p.id) || (id.is_none() && name == Some(p.name.as_str()))
        })
    }

    /// Issues a token; returns it with its record.
    pub fn issue(&self, user: usize, project: Option<usize>, now: Millis) -> (String, Token) {
        let token = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let record = Token {
            user,
            project,
            issued_at: now,
            expires_at: now + TOKEN_LIFETIME_MS,
        };
        let mut tokens = self.lock();
        if tokens.len() >= MAX_TOKENS {
            tokens.retain(|_, t| t.expires_at > now);
        }
        if tokens.len() >= MAX_TOKENS {
            let oldest = tokens
                .iter()
                .min_by_key(|(_, t)| t.issued_at)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                tokens.remove(&k);
            }
        }
        tokens.insert(token.clone(), record.clone());
        (token, record)
    }

    /// The token's record while it is valid at `now`.
    pub fn token(&self, token: &str, now: Millis) -> Option<Token> {
        self.lock()
            .get(token)
            .filter(|t| t.expires_at > now)
            .cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Token>> {
        // Short, synchronous sections only; a poisoned map is still a valid map.
        self.tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn parse_user(s: &str) -> Result<User, String> {
    let mut parts = s.splitn(3, ':');
    match (parts.next(), parts.next()) {
        (Some(name), Some(password)) if !name.is_empty() && !password.is_empty() => {
            let domain = parts.next().filter(|d| !d.is_empty()).unwrap_or("Default");
            Ok(User {
                id: hash_id("user", &format!("{domain}/{name}")),
                name: name.to_owned(),
                password: password.to_owned(),
                domain: domain.to_owned(),
            })
        }
        _ => Err(format!("--otc-user {s:?}: expected NAME:PASSWORD[:DOMAIN]")),
    }
}

fn parse_project(s: &str, catalog: &Catalog) -> Result<Project, String> {
    let mut parts = s.splitn(3, ':');
    let (Some(name), Some(region)) = (parts.next(), parts.next()) else {
        return Err(format!(
            "--otc-project {s:?}: expected NAME:REGION[:ACCOUNT]"
        ));
    };
    if name.is_empty() || !catalog.region(region).is_ok_and(|r| r.offered_by(DIALECT)) {
        return Err(format!(
            "--otc-project {s:?}: a name and an OTC region (eu-de, eu-nl) are needed"
        ));
    }
    Ok(Project {
        id: hash_id("project", name),
        name: name.to_owned(),
        region: region.to_owned(),
        account: parts
            .next()
            .filter(|a| !a.is_empty())
            .unwrap_or(DEFAULT_ACCOUNT)
            .to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_configured_lists() {
        let catalog = Catalog::builtin().unwrap();
        let id = Identity::from_config(&[], &[], &catalog).unwrap();
        assert_eq!(id.user("admin", "admin", Some("Default")), Some(0));
        assert_eq!(id.user("admin", "admin", Some("default")), Some(0));
        assert_eq!(id.user("admin", "nope", None), None);
        let de = id.project(None, Some("eu-de")).unwrap();
        assert_eq!(id.projects[de].region, "eu-de");
        assert_eq!(id.projects[de].id.len(), 32);
        assert_eq!(id.project(Some(&id.projects[de].id), None), Some(de));
        let other =
            Identity::from_config(&["ops:pw:Team".into()], &["lab:eu-nl:42".into()], &catalog)
                .unwrap();
        assert_eq!(other.user("admin", "admin", None), None);
        assert_eq!(other.projects[0].account, "42");
        for bad in ["x", "lab:cn-hangzhou", ":eu-de"] {
            assert!(
                Identity::from_config(&[], &[bad.into()], &catalog).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn tokens_expire_and_stay_bounded() {
        let catalog = Catalog::builtin().unwrap();
        let id = Identity::from_config(&[], &[], &catalog).unwrap();
        let (t, _) = id.issue(0, Some(0), 1_000);
        assert!(id.token(&t, 1_000 + TOKEN_LIFETIME_MS - 1).is_some());
        assert!(id.token(&t, 1_000 + TOKEN_LIFETIME_MS).is_none());
        assert!(id.token("nope", 0).is_none());
        for i in 0..(MAX_TOKENS + 5) {
            id.issue(0, None, 2_000 + i as i64);
        }
        assert!(id.lock().len() <= MAX_TOKENS);
    }
}
