//! The one place where text from a spec (names, descriptions, the spec's file name)
//! is made safe for where it lands: one function per target.
//!
//! Identifiers are [`crate::sanitize`]'s business, and string literals `quote`'s; what
//! is left is prose. A spec is input from anyone who can open a pull request, so:
//! - doc comments must not hold a doctest (rustdoc runs every fenced or indented code
//!   block that is not marked otherwise) nor text-direction controls (rustc refuses
//!   them);
//! - a `//` or `#` comment line must stay one line;
//! - TOML strings are quoted and escaped;
//! - Markdown inline code and table cells must not be closed early.

/// Text-direction controls (rustc's `text_direction_codepoint_in_literal`): shown as
/// `\u{202e}` instead, so that what a reader sees is what is there.
fn is_direction_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// A character as a reader should see it: direction and other controls escaped.
fn visible(c: char, out: &mut String) {
    if is_direction_control(c) || (c.is_control() && c != '\t') {
        out.push_str(&format!("\\u{{{:x}}}", c as u32));
    } else {
        out.push(c);
    }
}

fn visible_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        visible(c, &mut out);
    }
    out
}

/// The lines of a doc comment for `text`. Code blocks become `text` blocks: a fence's
/// language is replaced by `text` (so `cargo test` runs nothing a spec wrote), lines
/// indented like a code block lose their indentation, and a block quote or list marker
/// that starts a line is escaped, so that no code block can hide inside one (rustdoc
/// would run all of those).
pub(crate) fn doc_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    // The fence that opened the code block we are in.
    let mut fence: Option<String> = None;
    for line in text.lines() {
        let line = visible_line(line);
        let trimmed = line.trim_start();
        // A fence is three or more of one character, backtick or tilde.
        let marker: String = match trimmed.chars().next() {
            Some(c @ ('`' | '~')) => trimmed.chars().take_while(|x| *x == c).collect(),
            _ => String::new(),
        };
        let is_fence = marker.len() >= 3;
        match &fence {
            Some(open)
                if is_fence
                    && marker.starts_with(open.as_str())
                    && trimmed[marker.len()..].trim().is_empty() =>
            {
                fence = None;
                lines.push(marker);
            }
            Some(_) => lines.push(line),
            None if is_fence => {
                lines.push(format!("{marker}text"));
                fence = Some(marker);
            }
            None => lines.push(plain(trimmed)),
        }
    }
    if let Some(open) = fence {
        // An unclosed block would swallow what the generator writes after it.
        lines.push(open);
    }
    lines
}

/// A line outside code blocks, its indentation gone: a leading `>` or list marker
/// (`-`, `*`, `+`, `1.`, `1)`) is escaped, so the line is plain text.
fn plain(line: &str) -> String {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    let rest = &line[digits..];
    let marker_then_space = |after: &str| after.is_empty() || after.starts_with([' ', '\t']);
    let quote = line.starts_with('>');
    let bullet = line.starts_with(['-', '*', '+']) && marker_then_space(&line[1..]);
    if quote || bullet {
        format!("\\{line}")
    } else if (1..=9).contains(&digits)
        && rest.starts_with(['.', ')'])
        && marker_then_space(&rest[1..])
    {
        format!("{}\\{rest}", &line[..digits])
    } else {
        line.to_owned()
    }
}

/// Text for one comment line (`// ... from \`{file}\``): line breaks and controls
/// shown escaped.
pub(crate) fn comment(text: &str) -> String {
    visible_line(text)
}

/// Text inside Markdown inline code or a table cell: one line, no backtick or `|` to
/// end it early.
pub(crate) fn markdown_inline(text: &str) -> String {
    visible_line(text).replace('`', "'").replace('|', "\\|")
}

/// Markdown prose in one table cell: one line, no `|` to end the cell.
pub(crate) fn markdown_cell(text: &str) -> String {
    visible_line(&text.replace('\n', " ")).replace('|', "\\|")
}

/// Markdown prose (a description in a README): as in a doc comment, so that a code
/// block it leaves open does not swallow the rest of the file.
pub(crate) fn markdown_text(text: &str) -> String {
    doc_lines(text).join("\n")
}

/// One word of a shell command in a README (`--resource NAME`): quoted when it holds
/// anything but letters, digits and `-_.`.
pub(crate) fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if plain {
        text.to_owned()
    } else {
        format!("'{}'", visible_line(text).replace('\'', "'\\''"))
    }
}

/// A TOML basic string, quoted.
pub(crate) fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() || is_direction_control(c) => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_blocks_in_docs_are_text() {
        let text = "Intro\n```\npanic!(\"x\");\n```\n  ```rust\nfn main() {}\n  ```\n~~~~\nkept\n~~~~\n\n    indented block\nend";
        assert_eq!(
            doc_lines(text),
            [
                "Intro",
                "```text",
                "panic!(\"x\");",
                "```",
                "```text",
                "fn main() {}",
                "```",
                "~~~~text",
                "kept",
                "~~~~",
                "",
                "indented block",
                "end"
            ]
        );
        // Nothing nests a code block: not a quote, not a list item.
        assert_eq!(
            doc_lines("> ```\n> panic!();\n> ```\n>     quoted indent"),
            [
                "\\> ```",
                "\\> panic!();",
                "\\> ```",
                "\\>     quoted indent"
            ]
        );
        assert_eq!(
            doc_lines("-     x\n*\n+ ```\n12.     y\n3) z\n-x\n*em*\n2024. a year"),
            [
                "\\-     x",
                "\\*",
                "\\+ ```",
                "12\\.     y",
                "3\\) z",
                "-x",
                "*em*",
                "2024\\. a year"
            ]
        );
        // A fence of mixed characters is not one; a closing fence has no info string.
        assert_eq!(doc_lines("~~~`rust\nx\n~~~"), ["~~~text", "x", "~~~"]);
        assert_eq!(doc_lines("```\n``` x\n```"), ["```text", "``` x", "```"]);
        // A block left open is closed.
        assert_eq!(doc_lines("```\nx"), ["```text", "x", "```"]);
        // A shorter fence does not close a longer one.
        assert_eq!(doc_lines("````\n```\n````"), ["````text", "```", "````"]);
    }

    #[test]
    fn direction_controls_are_shown_not_obeyed() {
        assert_eq!(doc_lines("a\u{202e}b\u{2066}c"), ["a\\u{202e}b\\u{2066}c"]);
        assert_eq!(comment("spec\n.yaml\u{202e}"), "spec\\u{a}.yaml\\u{202e}");
        assert_eq!(
            toml_string("a\"b\\c\n\u{202e}"),
            "\"a\\\"b\\\\c\\u000A\\u202E\""
        );
        assert_eq!(markdown_inline("a`b|c\nd"), "a'b\\|c\\u{a}d");
    }
}
