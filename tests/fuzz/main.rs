//! Property-based fuzz targets (proptest, stable Rust): the parameter decoder, both signature
//! verifiers, the seed loader and the JSON/XML encoders. Each target runs the default number of
//! cases (256) in `cargo test`; a longer run sets `PROPTEST_CASES`, e.g.
//! `PROPTEST_CASES=20000 cargo test --release --test fuzz`.

mod decoder;
mod encoders;
mod harness;
mod seeds;
mod signatures;
