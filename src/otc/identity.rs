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
        Self::configured(
            users,
            projects,
            &crate::seed::SeedOpenStack::default(),
            catalog,
        )
    }

    /// The flags' users and projects together with a seed file's; each list that is empty
    /// in both takes the documented default.
    ///
    /// # Errors
    /// A malformed value, a region this dialect does not offer, or a name given twice.
    pub fn configured(
        users: &[String],
        projects: &[String],
        seeded: &crate::seed::SeedOpenStack,
        catalog: &Catalog,
    ) -> Result<Self, String> {
        let mut all_users = users
            .iter()
            .map(|u| parse_user(u))
            .collect::<Result<Vec<_>, _>>()?;
        for u in &seeded.users {
            all_users.push(
                new_user(&u.name, &u.password, u.domain.as_deref())
                    .map_err(|e| format!("openstack.users: {e}"))?,
            );
        }
        let mut all_projects = projects
            .iter()
            .map(|p| parse_project(p, catalog))
            .collect::<Result<Vec<_>, _>>()?;
        for p in &seeded.projects {
            all_projects.push(
                new_project(&p.name, &p.region, p.account.as_deref(), catalog)
                    .map_err(|e| format!("openstack.projects: {e}"))?,
            );
        }
        if all_users.is_empty() {
            all_users.push(new_user("admin", "admin", None)?);
        }
        if all_projects.is_empty() {
            all_projects.push(new_project("eu-de", "eu-de", None, catalog)?);
            all_projects.push(new_project("eu-nl", "eu-nl", None, catalog)?);
        }
        let mut seen = std::collections::BTreeSet::new();
        for u in &all_users {
            if !seen.insert((u.domain.to_lowercase(), u.name.clone())) {
                return Err(format!(
                    "OpenStack user {:?} of domain {:?} is configured twice",
                    u.name, u.domain
                ));
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for p in &all_projects {
            if !seen.insert(p.name.clone()) {
                return Err(format!(
                    "OpenStack project {:?} is configured twice",
                    p.name
                ));
            }
        }
        Ok(Self {
            users: all_users,
            projects: all_projects,
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
        (Some(name), Some(password)) => new_user(name, password, parts.next())
            .map_err(|_| format!("--otc-user {s:?}: expected NAME:PASSWORD[:DOMAIN]")),
        _ => Err(format!("--otc-user {s:?}: expected NAME:PASSWORD[:DOMAIN]")),
    }
}

/// A user from its parts; an empty or absent domain is `Default`.
fn new_user(name: &str, password: &str, domain: Option<&str>) -> Result<User, String> {
    if name.is_empty() || password.is_empty() {
        return Err(format!("user {name:?}: a name and a password are needed"));
    }
    let domain = domain.filter(|d| !d.is_empty()).unwrap_or("Default");
    Ok(User {
        id: hash_id("user", &format!("{domain}/{name}")),
        name: name.to_owned(),
        password: password.to_owned(),
        domain: domain.to_owned(),
    })
}

fn parse_project(s: &str, catalog: &Catalog) -> Result<Project, String> {
    let mut parts = s.splitn(3, ':');
    let (Some(name), Some(region)) = (parts.next(), parts.next()) else {
        return Err(format!(
            "--otc-project {s:?}: expected NAME:REGION[:ACCOUNT]"
        ));
    };
    new_project(name, region, parts.next(), catalog)
        .map_err(|e| format!("--otc-project {s:?}: {e}"))
}

/// A project from its parts; an empty or absent account is the default account.
fn new_project(
    name: &str,
    region: &str,
    account: Option<&str>,
    catalog: &Catalog,
) -> Result<Project, String> {
    if name.is_empty() || !catalog.region(region).is_ok_and(|r| r.offered_by(DIALECT)) {
        return Err(format!(
            "project {name:?} in {region:?}: a name and an OTC region (eu-de, eu-nl) are needed"
        ));
    }
    Ok(Project {
        id: hash_id("project", name),
        name: name.to_owned(),
        region: region.to_owned(),
        account: account
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
    fn seeded_lists_join_the_flags_and_names_are_unique() {
        use crate::seed::{SeedOpenStack, SeedProject, SeedUser};
        let catalog = Catalog::builtin().unwrap();
        let seeded = SeedOpenStack {
            users: vec![SeedUser {
                name: "ci".into(),
                password: "pw".into(),
                domain: None,
            }],
            projects: vec![SeedProject {
                name: "lab".into(),
                region: "eu-nl".into(),
                account: None,
            }],
        };
        let id = Identity::configured(&["ops:pw:Team".into()], &[], &seeded, &catalog).unwrap();
        assert!(id.user("ops", "pw", Some("Team")).is_some());
        assert!(id.user("ci", "pw", Some("Default")).is_some());
        assert_eq!(id.user("admin", "admin", None), None);
        assert_eq!(
            (id.projects.len(), id.projects[0].account.as_str()),
            (1, DEFAULT_ACCOUNT)
        );
        let twice = Identity::configured(&[], &["lab:eu-de".into()], &seeded, &catalog);
        assert!(twice.is_err_and(|e| e.contains("twice")));
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
