//! Encoding of answers: success bodies and error bodies, as JSON or XML, with the request id.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::error::{ApiError, Dialect};

/// The one XML declaration of every XML answer, success or error, as the gateway writes it.
const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

/// The header carrying the request id on every answer.
pub const REQUEST_ID_HEADER: &str = "x-acs-request-id";

/// Response format, from the `Format` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `application/json;charset=utf-8` (the default).
    Json,
    /// `text/xml;charset=utf-8`.
    Xml,
}

impl Format {
    /// `Format=XML` in any case selects XML; anything else JSON.
    pub fn from_param(v: Option<&str>) -> Self {
        match v {
            Some(f) if f.eq_ignore_ascii_case("xml") => Self::Xml,
            _ => Self::Json,
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json;charset=utf-8",
            Self::Xml => "text/xml;charset=utf-8",
        }
    }
}

/// A finished answer: status, format and body bytes.
#[derive(Debug)]
pub struct Reply {
    status: StatusCode,
    format: Format,
    request_id: String,
    body: Vec<u8>,
    retry_after: Option<u32>,
    drop_connection: bool,
}

#[derive(Serialize)]
struct Envelope<'a, T> {
    #[serde(rename = "RequestId")]
    request_id: &'a str,
    #[serde(flatten)]
    body: &'a T,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ErrorBody<'a> {
    request_id: &'a str,
    host_id: &'a str,
    code: &'a str,
    message: &'a str,
    recommend: String,
}

impl Reply {
    /// A 200 answer with `body`'s fields after `RequestId`, rooted at `<{action}Response>` in XML.
    ///
    /// # Errors
    /// InternalError if the body cannot be encoded (a bug).
    pub fn success<T: Serialize>(
        format: Format,
        action: &str,
        request_id: &str,
        body: &T,
    ) -> Result<Self, ApiError> {
        let envelope = Envelope { request_id, body };
        let bytes = match format {
            Format::Json => json_with_request_id(request_id, body)?,
            Format::Xml => {
                let root = format!("{action}Response");
                let xml = quick_xml::se::to_string_with_root(&root, &envelope)
                    .map_err(ApiError::internal)?;
                xml_safe(format!("{XML_DECLARATION}{xml}")).into_bytes()
            }
        };
        Ok(Self {
            status: StatusCode::OK,
            format,
            request_id: request_id.to_owned(),
            body: bytes,
            retry_after: None,
            drop_connection: false,
        })
    }

    /// An error answer in the documented shape.
    pub fn error(
        format: Format,
        dialect: Dialect,
        request_id: &str,
        host_id: &str,
        err: &ApiError,
    ) -> Self {
        let recommend = format!(
            "https://api.aliyun.com/troubleshoot?q={}&product={}&requestId={request_id}",
            err.code,
            dialect.product()
        );
        let body = ErrorBody {
            request_id,
            host_id,
            code: &err.code,
            message: &err.message,
            recommend,
        };
        let bytes = match format {
            Format::Json => serde_json::to_vec(&body).unwrap_or_default(),
            Format::Xml => {
                let mut s = String::from(XML_DECLARATION);
                s.push_str("<Error>");
                for (tag, value) in [
                    ("RequestId", body.request_id),
                    ("HostId", body.host_id),
                    ("Code", body.code),
                    ("Message", body.message),
                ] {
                    s.push_str(&format!(
                        "<{tag}>{}</{tag}>",
                        quick_xml::escape::escape(value)
                    ));
                }
                s.push_str(&format!(
                    "<Recommend><![CDATA[{}]]></Recommend></Error>",
                    body.recommend
                ));
                xml_safe(s).into_bytes()
            }
        };
        Self {
            status: err.status_code(),
            format,
            request_id: request_id.to_owned(),
            body: bytes,
            retry_after: err.retry_after,
            drop_connection: err.drop_connection,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

/// True for a character XML 1.0 does not allow anywhere in a document: C0 controls other than
/// tab, line feed and carriage return, and U+FFFE / U+FFFF. (Surrogates cannot occur in a Rust
/// string.) Not even a character reference may name one, so they cannot be escaped.
pub fn forbidden_in_xml(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// An XML document with every character XML 1.0 forbids replaced by U+FFFD, so that whatever a
/// resource stores (seeds are not held to the API's name rules), the answer stays well-formed.
/// A carriage return becomes the reference `&#13;`, which parsers read back as itself (a raw
/// one would be read as a line feed). The markup itself holds neither, so the whole document
/// can be scanned.
fn xml_safe(doc: String) -> String {
    if !doc.chars().any(|c| c == '\r' || forbidden_in_xml(c)) {
        return doc;
    }
    let mut out = String::with_capacity(doc.len() + 8);
    for c in doc.chars() {
        match c {
            '\r' => out.push_str("&#13;"),
            c if forbidden_in_xml(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// `{"RequestId":"…",<the body's fields>}`. Written by splicing rather than with
/// `#[serde(flatten)]`, which routes every field through serde's slower map path.
fn json_with_request_id<T: Serialize>(request_id: &str, body: &T) -> Result<Vec<u8>, ApiError> {
    let mut buf = Vec::with_capacity(2048);
    buf.extend_from_slice(br#"{"RequestId":"#);
    serde_json::to_writer(&mut buf, request_id).map_err(ApiError::internal)?;
    let start = buf.len();
    serde_json::to_writer(&mut buf, body).map_err(ApiError::internal)?;
    match &buf[start..] {
        b"{}" => {
            buf.truncate(start);
            buf.push(b'}');
        }
        [b'{', ..] => buf[start] = b',',
        _ => return Err(ApiError::internal("a response body is not a JSON object")),
    }
    Ok(buf)
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut res = (self.status, self.body).into_response();
        let headers = res.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.format.content_type()),
        );
        if let Ok(v) = HeaderValue::from_str(&self.request_id) {
            headers.insert(REQUEST_ID_HEADER, v);
        }
        if let Some(secs) = self.retry_after {
            headers.insert("x-acs-retry-after", HeaderValue::from(secs));
        }
        if self.drop_connection {
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
            res.extensions_mut().insert(crate::server::DropConnection);
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Item {
        instance_id: String,
        status: &'static str,
    }

    #[derive(Serialize)]
    struct Items {
        #[serde(rename = "Instance")]
        instance: Vec<Item>,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Body {
        total_count: u32,
        instances: Items,
    }

    fn body() -> Body {
        let item = |id: &str| Item {
            instance_id: id.to_owned(),
            status: "Running",
        };
        Body {
            total_count: 2,
            instances: Items {
                instance: vec![item("i-1"), item("i-2")],
            },
        }
    }

    #[test]
    fn json_puts_request_id_first() {
        let r = Reply::success(Format::Json, "DescribeInstances", "RID", &body()).unwrap();
        let text = String::from_utf8(r.body).unwrap();
        assert_eq!(
            text,
            r#"{"RequestId":"RID","TotalCount":2,"Instances":{"Instance":[{"InstanceId":"i-1","Status":"Running"},{"InstanceId":"i-2","Status":"Running"}]}}"#
        );
    }

    #[test]
    fn xml_wraps_lists_like_ecs() {
        let r = Reply::success(Format::Xml, "DescribeInstances", "RID", &body()).unwrap();
        let text = String::from_utf8(r.body).unwrap();
        assert_eq!(
            text,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><DescribeInstancesResponse><RequestId>RID</RequestId><TotalCount>2</TotalCount><Instances><Instance><InstanceId>i-1</InstanceId><Status>Running</Status></Instance><Instance><InstanceId>i-2</InstanceId><Status>Running</Status></Instance></Instances></DescribeInstancesResponse>"
        );
    }

    #[test]
    fn xml_error_shape() {
        let err = ApiError::from(super::super::error::ErrorCode::InstanceNotFound);
        let r = Reply::error(Format::Xml, Dialect::Ecs, "RID", "ecs.aliyuncs.com", &err);
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let text = String::from_utf8(r.body).unwrap();
        assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><RequestId>RID</RequestId><HostId>ecs.aliyuncs.com</HostId><Code>InvalidInstanceId.NotFound</Code>"), "{text}");
        assert!(
            text.ends_with("product=Ecs&requestId=RID]]></Recommend></Error>"),
            "{text}"
        );
    }
}
