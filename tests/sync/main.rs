//! End-to-end sync tests: a real `hearth-server` on a loopback port, on SQLite and on a
//! fresh PostgreSQL database, and several clients, each with its own encrypted store and
//! the real `hearth-sync` engine, talking through a fault-injecting TCP proxy.

mod helpers;

mod background;
mod conflicts;
mod documents;
mod faults;
mod interleavings;
mod journal;
mod kill;
mod progress;
mod references;
mod restarts;
mod restore;
mod search;
mod sharing;
mod transfer;
