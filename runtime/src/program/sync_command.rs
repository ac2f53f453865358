//! `<program> sync`: loads resources into a destination, with progress on stderr and a
//! summary per table on stdout.

use crate::load::{self, AnyDestination, Destination, DestinationUrl, Event, SyncOptions};
use crate::{Connector, Error, Overrides};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::time::Duration;

pub(super) struct Options {
    pub resources: Vec<String>,
    pub destination: Option<String>,
    pub dataset: Option<String>,
    pub overrides: Overrides,
    pub full_refresh: bool,
    pub progress: bool,
}

pub(super) async fn run<C: Connector>(options: Options) -> Result<(), Error> {
    let url = options
        .destination
        .clone()
        .unwrap_or_else(|| format!("sqlite:{}.db", C::NAME));
    let url = DestinationUrl::parse(&url)?;
    let dataset = options
        .dataset
        .clone()
        .unwrap_or_else(|| load::naming::normalize_key(C::NAME));
    // The destination is opened (and so checked) before any request goes to the API.
    let mut destination = AnyDestination::open(&url, &dataset).await?;
    let connector = C::from_env_with(options.overrides)?;
    let sync_options = SyncOptions {
        resources: options.resources.clone(),
        full_refresh: options.full_refresh,
        ..SyncOptions::default()
    };
    let bar = if options.progress {
        ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} {prefix}: {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    let mut observe = |event: Event<'_>| match event {
        Event::Started { resource } => {
            bar.set_prefix(resource.to_owned());
            bar.set_message("starting");
        }
        Event::Records {
            records,
            pages,
            elapsed,
            ..
        } => {
            let rate = records as f64 / elapsed.as_secs_f64().max(1e-9);
            bar.set_message(format!(
                "{records} records, {pages} pages, {rate:.0} records/s"
            ));
        }
        Event::Finished(table) => {
            tracing::info!(
                "{}: {} records in {:.2}s",
                table.resource,
                table.records,
                table.elapsed.as_secs_f64()
            );
        }
    };
    let report = load::sync(&connector, &mut destination, &sync_options, &mut observe).await;
    bar.finish_and_clear();
    let report = report?;
    println!(
        "load {} into {} (dataset {dataset})",
        report.load_id,
        destination.describe()
    );
    println!(
        "{:<24} {:<24} {:<22} {:>9} {:>7} {:>9} {:>9} {:>9} {:>10} {:>8}",
        "resource",
        "table",
        "disposition",
        "records",
        "pages",
        "inserted",
        "updated",
        "deleted",
        "child rows",
        "seconds"
    );
    for table in &report.tables {
        println!(
            "{:<24} {:<24} {:<22} {:>9} {:>7} {:>9} {:>9} {:>9} {:>10} {:>8.2}",
            table.resource,
            table.table,
            table.mode.map_or("skip", |m| m.describe()),
            table.records,
            table.pages,
            table.counts.inserted,
            table.counts.updated,
            table.counts.deleted,
            table.child_rows,
            table.elapsed.as_secs_f64()
        );
    }
    Ok(())
}
