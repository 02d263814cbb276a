//! Shared pieces of the fuzz targets: an emulator built from a seed and driven in-process
//! through its router (the same `app()` the listener serves), and strategies for hostile text.

use axum::body::Body;
use axum::http::Request;
use ecs_emulator::config::{ClockMode, ServeArgs, Timing};
use ecs_emulator::AppState;
use proptest::prelude::*;
use tower::Service;

/// Characters a hostile or sloppy client (or a seed file) may put anywhere: every Unicode
/// scalar, with C0 controls, the two non-characters and XML's markup characters made common.
pub fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => any::<char>(),
        2 => (0u8..0x20).prop_map(char::from),
        1 => prop::sample::select(vec!['\u{fffe}', '\u{ffff}', '\u{fffd}', '\u{7f}', '\u{85}']),
        2 => prop::sample::select(vec!['<', '>', '&', '"', '\'', ']', '%', '+', '=', '/']),
        3 => prop::char::range('a', 'z'),
    ]
}

/// A string of up to `max` hostile characters.
pub fn hostile_text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(hostile_char(), 0..=max).prop_map(String::from_iter)
}

/// One answer: status and body text.
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Body (lossy UTF-8).
    pub body: String,
}

/// An emulator (instant timing, manual clock) started from a seed document, if it loads.
pub struct Emulator {
    router: axum::Router,
}

impl Emulator {
    /// Writes `seed` to a temporary file and starts from it, as `--fixtures` would.
    ///
    /// # Errors
    /// The loader's message for a seed it refuses.
    pub fn from_seed(seed: &str) -> Result<Self, String> {
        let path = std::env::temp_dir().join(format!(
            "ecs-emulator-fuzz-{}-{:?}.json",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::write(&path, seed).map_err(|e| e.to_string())?;
        let mut args = ServeArgs::for_listen(([127, 0, 0, 1], 0).into());
        args.fixtures = Some(path.clone());
        args.timing = Timing::Instant;
        args.clock = ClockMode::Manual;
        args.seed = Some(1);
        let state = AppState::from_args(&args);
        let _ = std::fs::remove_file(&path);
        Ok(Self {
            router: ecs_emulator::app(state?),
        })
    }

    /// Sends one request through the router and reads the whole answer.
    pub fn send(&mut self, req: Request<Body>) -> Answer {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let res = match self.router.call(req).await {
                Ok(res) => res,
                Err(never) => match never {},
            };
            let status = res.status().as_u16();
            let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
                .await
                .expect("body");
            Answer {
                status,
                body: String::from_utf8_lossy(&bytes).into_owned(),
            }
        })
    }

    /// An unsigned GET of `/?<query>`.
    pub fn get(&mut self, query: &str) -> Answer {
        let req = Request::get(format!("/?{query}"))
            .header("host", "127.0.0.1")
            .body(Body::empty())
            .expect("request");
        self.send(req)
    }
}

/// `name=value` pairs percent-encoded the way the signature schemes canonicalise them.
pub fn query_of(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                ecs_emulator::aliyun::encoding::pe(k),
                ecs_emulator::aliyun::encoding::pe(v)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}
