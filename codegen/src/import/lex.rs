//! Python source to tokens: names, numbers, strings (f-strings kept raw for the parser),
//! operators, and the ends of logical lines. Enough of Python's lexical rules for the
//! files a dlt pipeline is written in; what is not understood is an error with its line.

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    Name(String),
    Num(String),
    /// A string literal with escapes resolved; `f` when it is an f-string (then the
    /// text is raw: braces still in it, escapes resolved).
    Str {
        text: String,
        f: bool,
    },
    Op(&'static str),
    /// The end of a logical line (not inside brackets).
    Newline,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub tok: Tok,
    /// 1-based.
    pub line: usize,
}

const OPS: &[&str] = &[
    "**=", "//=", "...", "->", ":=", "==", "!=", "<=", ">=", "**", "//", "+=", "-=", "*=", "/=",
    "(", ")", "[", "]", "{", "}", ",", ":", ".", ";", "@", "=", "+", "-", "*", "/", "%", "<", ">",
    "|", "&", "^", "~", "!",
];

/// Tokens of `source`; `first_line` is the line number of its first line (a code block
/// in a Markdown file starts further down).
pub fn lex(source: &str, first_line: usize) -> Result<Vec<Token>, (usize, String)> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let mut line = first_line;
    let mut depth = 0usize;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\n' => {
                if depth == 0 && tokens.last().is_some_and(|t: &Token| t.tok != Tok::Newline) {
                    tokens.push(Token {
                        tok: Tok::Newline,
                        line,
                    });
                }
                line += 1;
                i += 1;
            }
            ' ' | '\t' | '\r' | '\x0c' => i += 1,
            '#' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '\\' if chars.get(i + 1) == Some(&'\n') => {
                line += 1;
                i += 2;
            }
            '\\' if chars.get(i + 1) == Some(&'\r') && chars.get(i + 2) == Some(&'\n') => {
                line += 1;
                i += 3;
            }
            _ if string_start(&chars, i).is_some() => {
                let (prefix_len, quote_at) = string_start(&chars, i).unwrap_or((0, i));
                let prefix: String = chars[i..i + prefix_len]
                    .iter()
                    .collect::<String>()
                    .to_lowercase();
                let start_line = line;
                let (text, next, lines) = string(&chars, quote_at, prefix.contains('r'))
                    .map_err(|message| (start_line, message))?;
                line += lines;
                i = next;
                tokens.push(Token {
                    tok: Tok::Str {
                        text,
                        f: prefix.contains('f'),
                    },
                    line: start_line,
                });
            }
            _ if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                tokens.push(Token {
                    tok: Tok::Name(chars[start..i].iter().collect()),
                    line,
                });
            }
            _ if c.is_ascii_digit()
                || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) =>
            {
                let start = i;
                while i < chars.len() {
                    let d = chars[i];
                    let exponent_sign = (d == '+' || d == '-')
                        && matches!(chars.get(i.wrapping_sub(1)), Some('e' | 'E'))
                        && !chars[start..i].iter().any(|c| matches!(c, 'x' | 'X'));
                    if d.is_ascii_alphanumeric() || d == '_' || d == '.' || exponent_sign {
                        i += 1;
                    } else {
                        break;
                    }
                }
                tokens.push(Token {
                    tok: Tok::Num(chars[start..i].iter().filter(|c| **c != '_').collect()),
                    line,
                });
            }
            _ => {
                let rest: String = chars[i..chars.len().min(i + 3)].iter().collect();
                let Some(op) = OPS.iter().find(|op| rest.starts_with(**op)) else {
                    return Err((line, format!("unexpected character `{c}`")));
                };
                match *op {
                    "(" | "[" | "{" => depth += 1,
                    ")" | "]" | "}" => depth = depth.saturating_sub(1),
                    _ => {}
                }
                tokens.push(Token {
                    tok: Tok::Op(op),
                    line,
                });
                i += op.chars().count();
            }
        }
    }
    if tokens.last().is_some_and(|t| t.tok != Tok::Newline) {
        tokens.push(Token {
            tok: Tok::Newline,
            line,
        });
    }
    Ok(tokens)
}

/// A string literal starting at `i`: the length of its prefix and where its quote is.
fn string_start(chars: &[char], i: usize) -> Option<(usize, usize)> {
    let mut j = i;
    while j < chars.len() && j - i < 2 && "rRbBuUfF".contains(chars[j]) {
        j += 1;
    }
    matches!(chars.get(j), Some('"' | '\'')).then_some((j - i, j))
}

/// A string from its opening quote: its text, where it ends, and how many line breaks
/// it spans.
fn string(chars: &[char], at: usize, raw: bool) -> Result<(String, usize, usize), String> {
    let quote = chars[at];
    let triple = chars.get(at + 1) == Some(&quote) && chars.get(at + 2) == Some(&quote);
    let mut i = at + if triple { 3 } else { 1 };
    let mut text = String::new();
    let mut lines = 0;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err("a string is not closed".into());
        };
        if c == quote
            && (!triple || (chars.get(i + 1) == Some(&quote) && chars.get(i + 2) == Some(&quote)))
        {
            return Ok((text, i + if triple { 3 } else { 1 }, lines));
        }
        if c == '\n' {
            if !triple {
                return Err("a string is not closed on its line".into());
            }
            lines += 1;
        }
        if c == '\\' && !raw {
            let Some(&next) = chars.get(i + 1) else {
                return Err("a string is not closed".into());
            };
            i += 2;
            match next {
                'n' => text.push('\n'),
                't' => text.push('\t'),
                'r' => text.push('\r'),
                'a' => text.push('\x07'),
                'b' => text.push('\x08'),
                'f' => text.push('\x0c'),
                'v' => text.push('\x0b'),
                '0'..='7' => {
                    // Up to three octal digits.
                    let mut code = next.to_digit(8).unwrap_or(0);
                    for _ in 0..2 {
                        match chars.get(i).and_then(|c| c.to_digit(8)) {
                            Some(digit) => {
                                code = code * 8 + digit;
                                i += 1;
                            }
                            None => break,
                        }
                    }
                    text.extend(char::from_u32(code));
                }
                '\\' | '\'' | '"' => text.push(next),
                '\n' => lines += 1,
                'x' | 'u' | 'U' => {
                    let len = match next {
                        'x' => 2,
                        'u' => 4,
                        _ => 8,
                    };
                    let hex: String = chars.get(i..i + len).unwrap_or_default().iter().collect();
                    let decoded = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                    match decoded {
                        Some(decoded) => text.push(decoded),
                        None => return Err(format!("a bad escape `\\{next}{hex}`")),
                    }
                    i += len;
                }
                other => {
                    text.push('\\');
                    text.push(other);
                }
            }
            continue;
        }
        if c == '\\' && raw {
            text.push(c);
            if let Some(&next) = chars.get(i + 1) {
                if next == '\n' {
                    lines += 1;
                }
                text.push(next);
                i += 2;
                continue;
            }
        }
        text.push(c);
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(source: &str) -> Vec<Tok> {
        lex(source, 1).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn python_tokens() {
        assert_eq!(
            toks("x = {'a': [1_000, 2.5e-3],  # note\n  \"b\": f\"{y}\\n\"}\nz"),
            [
                Tok::Name("x".into()),
                Tok::Op("="),
                Tok::Op("{"),
                Tok::Str {
                    text: "a".into(),
                    f: false
                },
                Tok::Op(":"),
                Tok::Op("["),
                Tok::Num("1000".into()),
                Tok::Op(","),
                Tok::Num("2.5e-3".into()),
                Tok::Op("]"),
                Tok::Op(","),
                Tok::Str {
                    text: "b".into(),
                    f: false
                },
                Tok::Op(":"),
                Tok::Str {
                    text: "{y}\n".into(),
                    f: true
                },
                Tok::Op("}"),
                Tok::Newline,
                Tok::Name("z".into()),
                Tok::Newline,
            ]
        );
        assert_eq!(
            toks("'''a\nb''' r'\\d'"),
            [
                Tok::Str {
                    text: "a\nb".into(),
                    f: false
                },
                Tok::Str {
                    text: "\\d".into(),
                    f: false
                },
                Tok::Newline
            ]
        );
        assert_eq!(lex("x = 'open\n", 3).unwrap_err().0, 3);
    }
}
