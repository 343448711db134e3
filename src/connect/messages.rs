//! Every error message the server sent for one statement.
//!
//! tiberius returns a batch's FIRST error as the statement's error; the others (DBCC CHECKDB
//! with ALL_ERRORMSGS sends one per damaged page, then its summary) it reports only as tracing
//! events (`tiberius::tds::stream::token`, level ERROR, fields `message` and `code`). This module
//! collects those events for one future: a subscriber scoped to that future alone
//! ([`tracing::instrument::WithSubscriber`]), so statements running in parallel never see each
//! other's messages. Only ERROR events of tiberius are enabled (the level hint keeps the
//! driver's TRACE events, which carry row data, from being built at all).

use std::future::Future;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::instrument::WithSubscriber;
use tracing::level_filters::LevelFilter;
use tracing::subscriber::Interest;
use tracing::{span, Event, Level, Metadata, Subscriber};

/// One error message: its number and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerMessage {
    pub number: u32,
    pub message: String,
}

#[derive(Clone, Default)]
struct Collector {
    found: Arc<Mutex<Vec<ServerMessage>>>,
}

fn wanted(m: &Metadata<'_>) -> bool {
    *m.level() == Level::ERROR && m.target().starts_with("tiberius")
}

#[derive(Default)]
struct Fields {
    code: Option<u32>,
    message: Option<String>,
}

impl Visit for Fields {
    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "code" {
            self.code = u32::try_from(value).ok();
        }
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        if field.name() == "code" {
            self.code = u32::try_from(value).ok();
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = Some(value.to_string());
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            // `message = %text`: the Debug form of a Display value is the text itself
            self.message = Some(format!("{value:?}"));
        }
    }
}

impl Subscriber for Collector {
    fn register_callsite(&self, m: &'static Metadata<'static>) -> Interest {
        if wanted(m) {
            Interest::sometimes()
        } else {
            Interest::never()
        }
    }
    fn enabled(&self, m: &Metadata<'_>) -> bool {
        wanted(m)
    }
    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(LevelFilter::ERROR)
    }
    fn new_span(&self, _: &span::Attributes<'_>) -> span::Id {
        span::Id::from_u64(1)
    }
    fn record(&self, _: &span::Id, _: &span::Record<'_>) {}
    fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}
    fn event(&self, e: &Event<'_>) {
        let mut f = Fields::default();
        e.record(&mut f);
        if let (Some(number), Some(message)) = (f.code, f.message) {
            if let Ok(mut v) = self.found.lock() {
                v.push(ServerMessage { number, message });
            }
        }
    }
    fn enter(&self, _: &span::Id) {}
    fn exit(&self, _: &span::Id) {}
}

/// Runs `f` and returns its output with every error message the server sent while it ran, in
/// the order they came.
pub async fn with_server_errors<F: Future>(f: F) -> (F::Output, Vec<ServerMessage>) {
    let c = Collector::default();
    let found = c.found.clone();
    let out = f.with_subscriber(c).await;
    let v = found.lock().map(|mut v| std::mem::take(&mut *v)).unwrap_or_default();
    (out, v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_error_events_of_the_driver_only_and_only_inside_the_future() {
        let ((), v) = crate::runtime::block_on(with_server_errors(async {
            tracing::event!(target: "tiberius::tds::stream::token", Level::ERROR, message = %"Page (1:312) could not be processed.", code = 8928u32);
            tracing::event!(target: "tiberius::tds::stream::token", Level::TRACE, message = "row data");
            tracing::event!(target: "other", Level::ERROR, message = "not the driver", code = 1u32);
            tracing::event!(target: "tiberius::tds::stream::token", Level::ERROR, message = %"CHECKDB found 0 allocation errors and 2 consistency errors in database 'x'.", code = 8989u32);
        }));
        assert_eq!(v.iter().map(|m| m.number).collect::<Vec<_>>(), vec![8928, 8989]);
        assert_eq!(v[0].message, "Page (1:312) could not be processed.");
        // outside the future nothing is collected
        tracing::event!(target: "tiberius::tds::stream::token", Level::ERROR, message = "late", code = 2u32);
    }
}
