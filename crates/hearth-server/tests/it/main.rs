//! The server's one integration-test binary. Every test runs against a real server on a
//! loopback port, with a real SMTP server process, on SQLite and on PostgreSQL.

mod helpers;

mod access;
mod accounts;
mod audit;
mod bad_input;
mod cli;
mod drafts;
mod epochs;
mod notices;
mod requests;
mod sharing;
mod sign_in;
mod sync;
