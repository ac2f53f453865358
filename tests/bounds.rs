//! Bounds on time and pages, as a user sets them: the program's flags and the
//! environment variables of the generated `Config` (the spec's `client.timeout` is in
//! tests/spec_errors.rs). The `events` program runs against a local API that hangs or
//! crawls on purpose.

use connectorgen_e2e::{events_program, http};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The events API: pages of 100 records by offset up to `total`. Request number `hang`
/// (counting from 0) gets no answer for a minute; every answer comes after `delay`.
fn events_api(total: usize, hang: Option<usize>, delay: Duration) -> String {
    let requests = Arc::new(AtomicUsize::new(0));
    http::serve_on_thread(move |target| {
        let n = requests.fetch_add(1, Ordering::SeqCst);
        async move {
            if Some(n) == hang {
                tokio::time::sleep(Duration::from_secs(60)).await;
            }
            tokio::time::sleep(delay).await;
            let offset = http::number_param(&target, "offset").unwrap_or(0);
            let records: Vec<_> = (offset..total.min(offset + 100))
                .map(|id| serde_json::json!({"id": id, "name": format!("event {id}")}))
                .collect();
            let page = serde_json::json!({"data": records, "total": total});
            http::json(page.to_string().as_bytes())
        }
    })
}

fn events(base_url: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(events_program())
        .args(["--resource", "event_data", "--base-url", base_url])
        .args(["--concurrency", "1"])
        .args(args)
        .env("EVENTS_API_KEY", "bounds-key")
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

fn lines(output: &Output) -> usize {
    String::from_utf8_lossy(&output.stdout).lines().count()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_request_that_hangs_times_out_and_is_retried() {
    for (args, env) in [
        (&["--timeout", "0.5"][..], &[][..]),
        (&[][..], &[("EVENTS_TIMEOUT", "0.5")][..]),
    ] {
        let base_url = events_api(300, Some(1), Duration::ZERO);
        let output = events(&base_url, args, env);
        let log = stderr(&output);
        assert!(output.status.success(), "{log}");
        // The second page hung, timed out after half a second, and was asked again.
        assert!(
            log.contains("GET failed (timed out: operation timed out); retry 1 of 3"),
            "{log}"
        );
        assert_eq!(lines(&output), 300);
    }
}

#[test]
fn a_resource_past_its_time_bound_fails_with_what_it_took() {
    for (args, env) in [
        (&["--resource-timeout", "1"][..], &[][..]),
        (&[][..], &[("EVENTS_RESOURCE_TIMEOUT", "1")][..]),
    ] {
        // 20 pages, a quarter of a second each.
        let base_url = events_api(2_000, None, Duration::from_millis(250));
        let output = events(&base_url, args, env);
        let log = stderr(&output);
        assert!(!output.status.success());
        assert!(
            log.contains(
                "error: resource `event_data`: not done after 1 s, the bound on time per \
                 resource (`resource_timeout`)"
            ),
            "{log}"
        );
        // What came before the bound came whole, page by page.
        let written = lines(&output);
        assert!(written.is_multiple_of(100) && written < 2_000, "{written}");
    }
}

#[test]
fn more_pages_than_the_bound_fail_after_the_pages_within_it() {
    for (args, env) in [
        (&["--max-pages", "2"][..], &[][..]),
        (&[][..], &[("EVENTS_MAX_PAGES", "2")][..]),
    ] {
        let base_url = events_api(500, None, Duration::ZERO);
        let output = events(&base_url, args, env);
        let log = stderr(&output);
        assert!(!output.status.success());
        assert!(log.contains("more than 2 pages"), "{log}");
        assert_eq!(lines(&output), 200);
    }
    // A bound the API stays within changes nothing.
    let base_url = events_api(500, None, Duration::ZERO);
    let output = events(&base_url, &["--max-pages", "5"], &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(lines(&output), 500);
}

#[test]
fn bad_bounds_are_refused_with_the_reason() {
    let base_url = events_api(100, None, Duration::ZERO);
    let output = events(&base_url, &["--timeout", "0"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("a number of seconds above 0"),
        "{}",
        stderr(&output)
    );
    let output = events(&base_url, &[], &[("EVENTS_MAX_PAGES", "none")]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains(
            "environment variable EVENTS_MAX_PAGES is `none`; set it to a whole number of at least 1"
        ),
        "{}",
        stderr(&output)
    );
}
