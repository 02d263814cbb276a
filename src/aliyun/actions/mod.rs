//! The action table: one row per (Version, Action), each a decode → call → encode pipeline.
//!
//! A row is built by `ecs::<Dto>("Name")` or `ebs::<Dto>("Name")`; the wire name of an action
//! appears only there. A DTO decodes the parameters into a domain `Call` (plus what its answer
//! needs), declares the domain `Op` it is, and encodes the domain's `Answer`. Families keep their
//! DTOs and rows in their own files.

mod attribute;
mod blanks;
mod catalog;
mod disk;
mod documented;
mod instance;
mod network;
mod replica_group;
mod replica_pair;
mod tag;

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Serialize;

use super::error::{ApiError, Dialect, ErrorCode};
use super::params::Params;
use super::reply::{Format, Reply};
use super::vocab::{self, AliyunNaming};
use crate::domain::call::{Answer, Call};
use crate::domain::query::PageRequest;
use crate::domain::{self, Op};
use crate::engine::{Engine, Operation, Outcome, Refusal, RequestMeta, Source};

/// ECS API version.
pub const ECS_VERSION: &str = "2014-05-26";
/// EBS API version.
pub const EBS_VERSION: &str = "2021-07-30";
/// VPC API version.
pub const VPC_VERSION: &str = "2016-04-28";

/// One decoded request on its way to the domain.
#[derive(Debug)]
pub struct Ctx<'a> {
    /// The caller's account.
    pub account: &'a str,
    /// Its parameters.
    pub params: &'a Params,
    /// Answer format.
    pub format: Format,
    /// This request's id.
    pub request_id: &'a str,
    /// When the request arrived.
    pub arrived: std::time::Instant,
    /// Set once the call is handed to the engine (which then logs it).
    pub reached_engine: std::sync::atomic::AtomicBool,
}

impl Outcome for Result<Reply, ApiError> {
    fn status(&self) -> u16 {
        match self {
            Ok(r) => r.status().as_u16(),
            Err(e) => e.status,
        }
    }
    fn code(&self) -> Option<&str> {
        self.as_ref().err().map(|e| e.code.as_ref())
    }
}

/// An operation: how to read it from parameters, which domain call it makes, and how its answer
/// is shown.
pub trait RpcAction: Sized {
    /// The domain operation (how errors are worded; whether it mutates).
    const OP: Op;
    /// What it answers (fields after `RequestId`); it may borrow from the world's state, because
    /// it is encoded before the world is unlocked (no copies of large Describe results).
    type Response<'s>: Serialize;
    /// Reads the request: the domain call, and `Self`, what the answer needs besides.
    ///
    /// # Errors
    /// The documented missing/invalid-parameter errors.
    fn decode(p: &Params) -> Result<(Call, Self), ApiError>;
    /// Shows the domain's answer.
    ///
    /// # Errors
    /// Domain errors met while building it (an unknown region of a catalog read, …).
    fn respond(self, answer: Answer<'_>) -> domain::Result<Self::Response<'_>>;
}

/// A row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Action {
    /// API version.
    pub version: &'static str,
    /// Wire name.
    pub name: &'static str,
    /// Which product's vocabulary it answers in.
    pub dialect: Dialect,
    /// The domain operation.
    pub op: Op,
    /// The pipeline.
    pub handler: Handler,
}

/// A row's pipeline: decode, take the engine's path, encode.
pub type Handler = for<'a> fn(&'a Engine, &'a Action, &'a Ctx<'a>) -> ReplyFuture<'a>;

/// What a row's pipeline returns.
pub type ReplyFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Reply, ApiError>> + Send + 'a>>;

impl Action {
    /// True when the action can change state.
    pub fn mutates(&self) -> bool {
        self.op.mutates()
    }
}

fn run<'a, A: RpcAction + Send + 'static>(
    engine: &'a Engine,
    row: &'a Action,
    ctx: &'a Ctx<'a>,
) -> ReplyFuture<'a> {
    Box::pin(apply::<A>(engine, row, ctx))
}

async fn apply<A: RpcAction + Send>(
    engine: &Engine,
    row: &Action,
    ctx: &Ctx<'_>,
) -> Result<Reply, ApiError> {
    let (call, request) = A::decode(ctx.params)?;
    vocab::offered(&call, engine.world().catalog())
        .map_err(|e| ApiError::from_domain(e, row.dialect, A::OP))?;
    debug_assert_eq!(
        call.op(),
        A::OP,
        "{} decodes to another operation",
        row.name
    );
    let params = |f: &mut dyn FnMut(&str, &str)| ctx.params.visit(f);
    let meta = RequestMeta {
        dialect: "alibaba",
        product: row.dialect.id(),
        version: row.version,
        action: row.name,
        account: ctx.account,
        request_id: ctx.request_id,
        arrived: ctx.arrived,
        source: Source::Api,
        params: &params,
    };
    ctx.reached_engine
        .store(true, std::sync::atomic::Ordering::Relaxed);
    engine
        .apply(&meta, &AliyunNaming, call, |answer| {
            let answer = answer.map_err(|r| match r {
                Refusal::Domain(e) => ApiError::from_domain(e, row.dialect, A::OP),
                Refusal::Fault(f) => ApiError::from_fault(f, row.dialect),
            })?;
            let response = request
                .respond(answer)
                .map_err(|e| ApiError::from_domain(e, row.dialect, A::OP))?;
            Reply::success(ctx.format, row.name, ctx.request_id, &response)
        })
        .await
}

/// A row of ECS 2014-05-26.
pub const fn ecs<A: RpcAction + Send + 'static>(name: &'static str) -> Action {
    Action {
        version: ECS_VERSION,
        name,
        dialect: Dialect::Ecs,
        op: A::OP,
        handler: run::<A>,
    }
}

/// A row of EBS 2021-07-30.
pub const fn ebs<A: RpcAction + Send + 'static>(name: &'static str) -> Action {
    Action {
        version: EBS_VERSION,
        name,
        dialect: Dialect::Ebs,
        op: A::OP,
        handler: run::<A>,
    }
}

/// A row of VPC 2016-04-28.
pub const fn vpc<A: RpcAction + Send + 'static>(name: &'static str) -> Action {
    Action {
        version: VPC_VERSION,
        name,
        dialect: Dialect::Vpc,
        op: A::OP,
        handler: run::<A>,
    }
}

/// The wire name of the row of `version` that runs `op` (the first, when several do).
pub fn name_of(version: &str, op: Op) -> Option<&'static str> {
    FAMILIES
        .iter()
        .flat_map(|rows| rows.iter())
        .find(|row| row.version == version && row.op == op)
        .map(|row| row.name)
}

/// An answer of another shape than the operation gives: a bug.
pub fn unexpected(answer: &Answer<'_>) -> domain::Error {
    domain::Error::Internal(format!("unexpected answer {answer:?}"))
}

/// Every family's rows.
const FAMILIES: &[&[Action]] = &[
    instance::ACTIONS,
    disk::ACTIONS,
    catalog::ACTIONS,
    replica_pair::ACTIONS,
    replica_group::ACTIONS,
    network::ACTIONS,
    attribute::ACTIONS,
    tag::ACTIONS,
];

/// Version → action name → row.
static TABLE: LazyLock<HashMap<&'static str, HashMap<&'static str, Action>>> =
    LazyLock::new(|| {
        let mut t: HashMap<&'static str, HashMap<&'static str, Action>> = HashMap::new();
        for a in FAMILIES.iter().flat_map(|f| f.iter()) {
            t.entry(a.version).or_default().insert(a.name, *a);
        }
        t
    });

/// The dialect a version speaks, if the version is known.
pub fn dialect_of(version: &str) -> Option<Dialect> {
    match version {
        ECS_VERSION => Some(Dialect::Ecs),
        EBS_VERSION => Some(Dialect::Ebs),
        VPC_VERSION => Some(Dialect::Vpc),
        _ => None,
    }
}

/// The row for (version, action).
///
/// # Errors
/// `InvalidVersion` for an unknown version, `InvalidAction.NotFound` for an unknown action.
pub fn find(version: &str, action: &str) -> Result<&'static Action, ApiError> {
    dialect_of(version).ok_or(ErrorCode::InvalidVersion)?;
    TABLE
        .get(version)
        .and_then(|t| t.get(action))
        .ok_or_else(|| ErrorCode::InvalidActionNotFound.into())
}

/// Every operation of the Alibaba dialect, for the control plane's registry.
pub fn operations() -> Vec<Operation> {
    all()
        .into_iter()
        .map(|a| Operation {
            dialect: "alibaba",
            product: a.dialect.id(),
            version: a.version,
            action: a.name,
            mutates: a.mutates(),
        })
        .collect()
}

/// Every row, sorted by (version, action).
pub fn all() -> Vec<&'static Action> {
    let mut v: Vec<&'static Action> = TABLE.values().flat_map(HashMap::values).collect();
    v.sort_unstable_by_key(|a| (a.version, a.name));
    v
}

/// Pagination shared by the ECS Describe calls: PageNumber/PageSize, or NextToken/MaxResults
/// (which wins when present). Tokens are the decimal offset of the next item, so a client may
/// treat them as opaque.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    /// First item (0-based).
    pub offset: usize,
    /// Items per page.
    pub size: usize,
    /// Page number reported back.
    pub page_number: usize,
    /// Token style in use.
    pub tokens: bool,
}

impl Paging {
    /// Reads paging parameters with the operation's limits.
    ///
    /// # Errors
    /// InvalidParameter for out-of-range values or a token this server did not issue.
    pub fn read(p: &Params, max_page_size: i64, max_results: i64) -> Result<Self, ApiError> {
        let token = p.get("NextToken");
        let max = p.get("MaxResults");
        if token.is_some() || max.is_some() {
            let size = match p.get("MaxResults").map(str::parse::<i64>) {
                None => 10,
                Some(Ok(n)) if n >= 0 => n.clamp(10, max_results),
                Some(_) => return Err(p.invalid("MaxResults")),
            };
            let offset = match token {
                None => 0,
                Some(t) => t.parse::<usize>().map_err(|_| p.invalid("NextToken"))?,
            };
            let size = usize::try_from(size).unwrap_or(10);
            return Ok(Self {
                offset,
                size,
                page_number: offset / size.max(1) + 1,
                tokens: true,
            });
        }
        let page_number =
            usize::try_from(p.int("PageNumber", 1, i64::from(u32::MAX))?.unwrap_or(1)).unwrap_or(1);
        let size =
            usize::try_from(p.int("PageSize", 1, max_page_size)?.unwrap_or(10)).unwrap_or(10);
        Ok(Self {
            offset: (page_number - 1).saturating_mul(size),
            size,
            page_number,
            tokens: false,
        })
    }

    /// The page the domain is asked for.
    pub fn request(&self) -> PageRequest {
        PageRequest::Offset {
            offset: self.offset,
            size: self.size,
        }
    }

    /// The token for the page after this one, of `total` items (empty on the last page).
    pub fn next_token(&self, total: usize) -> String {
        let end = self.offset.saturating_add(self.size).min(total);
        if self.tokens && end < total {
            end.to_string()
        } else {
            String::new()
        }
    }

    /// This page of `items` (catalog lists, paged here rather than in the domain).
    pub fn page<T>(&self, items: Vec<T>) -> (Vec<T>, String) {
        let total = items.len();
        let next = self.next_token(total);
        let page = crate::domain::query::slice(items, &self.request()).items;
        (page, next)
    }
}

/// `{"Tag": [...]}`: the ECS wrapping of a tag list, serialized straight from the resource's tags.
#[derive(Debug, Clone, Copy)]
pub struct TagSet<'a>(pub &'a [(String, String)]);

impl Serialize for TagSet<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Tags", 1)?;
        st.serialize_field("Tag", &TagList(self.0))?;
        st.end()
    }
}

/// The bare list of tags (EBS shape, and the inside of [`TagSet`]).
#[derive(Debug, Clone, Copy)]
pub struct TagList<'a>(pub &'a [(String, String)]);

impl Serialize for TagList<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|(k, v)| TagView {
            tag_key: k.as_str(),
            tag_value: v.as_str(),
        }))
    }
}

/// One tag as ECS and EBS show it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagView<S = String> {
    /// Key.
    pub tag_key: S,
    /// Value.
    pub tag_value: S,
}

/// An ECS time string, written straight into the answer (no intermediate `String`); the
/// default is the empty string ECS shows for "never".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EcsTime {
    ms: Option<i64>,
    seconds: bool,
}

/// ECS time with minutes (`2017-12-10T04:04Z`), as DescribeInstances shows it.
pub fn ecs_minutes(ms: i64) -> EcsTime {
    EcsTime {
        ms: Some(ms),
        seconds: false,
    }
}

/// ECS time with seconds (`2021-06-07T06:08:54Z`), as DescribeDisks shows it.
pub fn ecs_seconds(ms: i64) -> EcsTime {
    EcsTime {
        ms: Some(ms),
        seconds: true,
    }
}

impl std::fmt::Display for EcsTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Some(t) = self
            .ms
            .and_then(|ms| time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).ok())
        else {
            return Ok(());
        };
        let (y, m, d) = (t.year(), u8::from(t.month()), t.day());
        write!(f, "{y:04}-{m:02}-{d:02}T{:02}:{:02}", t.hour(), t.minute())?;
        if self.seconds {
            write!(f, ":{:02}", t.second())?;
        }
        f.write_str("Z")
    }
}

impl Serialize for EcsTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The empty success body (`{"RequestId": …}` only).
#[derive(Debug, Serialize)]
pub struct Empty {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_per_version() {
        let n: usize = FAMILIES.iter().map(|f| f.len()).sum();
        assert_eq!(all().len(), n, "a (version, action) pair appears twice");
    }

    #[test]
    fn table_is_the_documented_surface() {
        let ecs: Vec<&str> = all()
            .into_iter()
            .filter(|a| a.version == ECS_VERSION)
            .map(|a| a.name)
            .collect();
        for a in [
            "AttachDisk",
            "CreateDisk",
            "DeleteDisk",
            "DeleteInstance",
            "DescribeDisks",
            "DescribeImages",
            "DescribeInstanceStatus",
            "DescribeInstanceTypes",
            "DescribeInstances",
            "DescribeRegions",
            "DescribeZones",
            "DetachDisk",
            "RebootInstance",
            "RunInstances",
            "StartInstance",
            "StopInstance",
            "CreateInstance",
            "DescribeUserData",
            "DescribeInstanceAttribute",
            "ModifyInstanceAttribute",
            "ModifyDiskAttribute",
            "TagResources",
            "UntagResources",
            "ListTagResources",
        ] {
            assert!(ecs.contains(&a), "{a} missing");
        }
        for a in [
            "DescribeRegions",
            "TagResources",
            "UntagResources",
            "ListTagResources",
        ] {
            assert_eq!(
                find(EBS_VERSION, a).map(|r| r.dialect),
                Ok(Dialect::Ebs),
                "{a}"
            );
        }
    }

    /// Every disk-replication operation of the reference, in both dialects.
    #[test]
    fn replication_is_served_in_both_dialects() {
        for a in [
            "CreateDiskReplicaPair",
            "StartDiskReplicaPair",
            "StopDiskReplicaPair",
            "ModifyDiskReplicaPair",
            "DeleteDiskReplicaPair",
            "DescribeDiskReplicaPairs",
            "DescribeDiskReplicaPairProgress",
            "FailoverDiskReplicaPair",
            "ReprotectDiskReplicaPair",
            "CreateDiskReplicaGroup",
            "ModifyDiskReplicaGroup",
            "DeleteDiskReplicaGroup",
            "DescribeDiskReplicaGroups",
            "AddDiskReplicaPair",
            "RemoveDiskReplicaPair",
            "StartDiskReplicaGroup",
            "StopDiskReplicaGroup",
            "FailoverDiskReplicaGroup",
            "ReprotectDiskReplicaGroup",
        ] {
            for v in [ECS_VERSION, EBS_VERSION] {
                let row = find(v, a).unwrap_or_else(|_| panic!("{a} missing in {v}"));
                assert_eq!(row.dialect, dialect_of(v).unwrap(), "{a} {v}");
            }
        }
    }

    #[test]
    fn unknown_version_and_action() {
        assert_eq!(
            find("2099-01-01", "StartInstance").unwrap_err().code,
            "InvalidVersion"
        );
        assert_eq!(
            find(ECS_VERSION, "Nope").unwrap_err().code,
            "InvalidAction.NotFound"
        );
        assert_eq!(
            find(ECS_VERSION, "StartInstance").unwrap().name,
            "StartInstance"
        );
    }

    #[test]
    fn time_formats() {
        assert_eq!(
            ecs_minutes(1_512_878_640_000).to_string(),
            "2017-12-10T04:04Z"
        );
        assert_eq!(
            ecs_seconds(1_623_046_134_000).to_string(),
            "2021-06-07T06:08:54Z"
        );
        assert_eq!(EcsTime::default().to_string(), "");
    }
}
