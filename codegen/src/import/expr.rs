//! Tokens to expressions: Python's expression grammar, simplified where a config never
//! goes (precedence of operators other than `+` does not matter: such values are not
//! expressible anyway).

use super::lex::{Tok, Token};

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Str(String),
    /// An f-string: literal text and the source text of each `{...}`.
    FStr(Vec<FPart>),
    Num(String),
    Name(String),
    Attr(Box<Node>, String),
    Index(Box<Node>, Box<Node>),
    Call {
        func: Box<Node>,
        args: Vec<Node>,
        kwargs: Kwargs,
    },
    Dict(Vec<(Node, Node)>),
    List(Vec<Node>),
    Binary(&'static str, Box<Node>, Box<Node>),
    Lambda,
    /// Anything else (comprehensions, conditionals, `**spread`): kept only to say so.
    Other(&'static str),
}

/// Keyword arguments of a call, in order.
pub type Kwargs = Vec<(String, Node)>;

/// A parse error: its line and what is wrong.
pub type Failure = (usize, String);

#[derive(Clone, Debug, PartialEq)]
pub enum FPart {
    Text(String),
    Code(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub expr: Expr,
    pub line: usize,
}

pub(super) struct Parser<'a> {
    tokens: &'a [Token],
    at: usize,
    /// Nesting of `expr` calls: a file nested deeper than any config is refused rather
    /// than overflowing the stack.
    depth: usize,
}

impl<'a> Parser<'a> {
    pub(super) fn new(tokens: &'a [Token]) -> Self {
        Parser {
            tokens,
            at: 0,
            depth: 0,
        }
    }

    fn peek(&self) -> Option<&'a Tok> {
        self.tokens.get(self.at).map(|t| &t.tok)
    }

    fn line(&self) -> usize {
        self.tokens
            .get(self.at)
            .or(self.tokens.last())
            .map_or(0, |t| t.line)
    }

    /// Skips to the bracket that closes the current one (not consuming it).
    fn skip_to_close(&mut self) {
        let mut depth = 0usize;
        while let Some(tok) = self.peek() {
            match tok {
                Tok::Op("(" | "[" | "{") => depth += 1,
                Tok::Op(")" | "]" | "}") if depth == 0 => return,
                Tok::Op(")" | "]" | "}") => depth -= 1,
                _ => {}
            }
            self.at += 1;
        }
    }

    fn eat(&mut self, op: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Op(o)) if *o == op) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, op: &str) -> Result<(), Failure> {
        if self.eat(op) {
            Ok(())
        } else {
            Err((self.line(), format!("expected `{op}`")))
        }
    }

    fn node(&self, expr: Expr, line: usize) -> Node {
        Node { expr, line }
    }

    /// `(a, b: int = 1, *args, **kwargs)`: the parameters that have a default.
    pub(super) fn params(&mut self) -> Result<Vec<(String, Node)>, Failure> {
        self.expect("(")?;
        let mut params = Vec::new();
        while !self.eat(")") {
            self.eat("*");
            self.eat("**");
            let name = match self.peek() {
                Some(Tok::Name(name)) => name.clone(),
                _ if self.eat(",") => continue,
                _ => return Err((self.line(), "expected a parameter".into())),
            };
            self.at += 1;
            if self.eat(":") {
                self.expr()?;
            }
            if self.eat("=") {
                params.push((name, self.expr()?));
            }
            if !self.eat(",") {
                self.expect(")")?;
                break;
            }
        }
        Ok(params)
    }

    pub(super) fn expr(&mut self) -> Result<Node, Failure> {
        if self.depth > 100 {
            return Err((self.line(), "values nested more than 100 deep".into()));
        }
        self.depth += 1;
        let node = self.expr_inner();
        self.depth -= 1;
        node
    }

    fn expr_inner(&mut self) -> Result<Node, Failure> {
        let line = self.line();
        if matches!(self.peek(), Some(Tok::Name(n)) if n == "lambda") {
            // Skip to the end of the lambda: the next `,` or closing bracket at this depth.
            let mut depth = 0;
            while let Some(tok) = self.peek() {
                match tok {
                    Tok::Op("(" | "[" | "{") => depth += 1,
                    Tok::Op(")" | "]" | "}") if depth == 0 => break,
                    Tok::Op(")" | "]" | "}") => depth -= 1,
                    Tok::Op(",") if depth == 0 => break,
                    _ => {}
                }
                self.at += 1;
            }
            return Ok(self.node(Expr::Lambda, line));
        }
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Op(
                    op @ ("+" | "-" | "*" | "/" | "%" | "//" | "**" | "|" | "&" | "==" | "!=" | "<"
                    | ">" | "<=" | ">="),
                )) => *op,
                Some(Tok::Name(word))
                    if ["and", "or", "in", "is", "not", "if", "else"].contains(&word.as_str()) =>
                {
                    // Conditionals and boolean logic are never a plain value.
                    self.at += 1;
                    self.unary()?;
                    left = self.node(Expr::Other("an expression computed at run time"), line);
                    continue;
                }
                Some(Tok::Name(word)) if word == "for" => {
                    self.skip_to_close();
                    return Ok(self.node(Expr::Other("a comprehension"), line));
                }
                _ => return Ok(left),
            };
            self.at += 1;
            let right = self.unary()?;
            left = self.node(Expr::Binary(op, Box::new(left), Box::new(right)), line);
        }
    }

    fn unary(&mut self) -> Result<Node, Failure> {
        let line = self.line();
        if self.eat("-") {
            let inner = self.unary()?;
            return Ok(match inner.expr {
                Expr::Num(n) => self.node(Expr::Num(format!("-{n}")), line),
                _ => self.node(Expr::Other("an expression computed at run time"), line),
            });
        }
        let keyword = matches!(self.peek(), Some(Tok::Name(n)) if n == "not" || n == "await");
        if keyword || self.eat("*") || self.eat("**") {
            if keyword {
                self.at += 1;
            }
            self.unary()?;
            return Ok(self.node(Expr::Other("an expression computed at run time"), line));
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<Node, Failure> {
        let mut node = self.atom()?;
        loop {
            let line = node.line;
            if self.eat(".") {
                let Some(Tok::Name(name)) = self.peek() else {
                    return Err((self.line(), "expected a name after `.`".into()));
                };
                self.at += 1;
                node = self.node(Expr::Attr(Box::new(node), name.clone()), line);
            } else if self.eat("[") {
                // Slices (`[a:b]`, `[:3]`) and tuples (`Dict[str, Any]`) are never
                // plain values.
                let index = if matches!(self.peek(), Some(Tok::Op(":"))) {
                    self.skip_to_close();
                    self.node(Expr::Other("a slice"), line)
                } else {
                    let index = self.expr()?;
                    if matches!(self.peek(), Some(Tok::Op(":" | ","))) {
                        self.skip_to_close();
                        self.node(Expr::Other("a slice or tuple index"), line)
                    } else {
                        index
                    }
                };
                self.expect("]")?;
                node = self.node(Expr::Index(Box::new(node), Box::new(index)), line);
            } else if self.eat("(") {
                let (args, kwargs) = self.arguments()?;
                node = self.node(
                    Expr::Call {
                        func: Box::new(node),
                        args,
                        kwargs,
                    },
                    line,
                );
            } else {
                return Ok(node);
            }
        }
    }

    fn arguments(&mut self) -> Result<(Vec<Node>, Kwargs), Failure> {
        let mut args = Vec::new();
        let mut kwargs = Vec::new();
        while !self.eat(")") {
            let keyword = match (self.peek(), self.tokens.get(self.at + 1).map(|t| &t.tok)) {
                (Some(Tok::Name(name)), Some(Tok::Op("="))) => Some(name.clone()),
                _ => None,
            };
            if let Some(name) = keyword {
                self.at += 2;
                kwargs.push((name, self.expr()?));
            } else {
                args.push(self.expr()?);
            }
            if !self.eat(",") {
                self.expect(")")?;
                break;
            }
        }
        Ok((args, kwargs))
    }

    fn atom(&mut self) -> Result<Node, Failure> {
        let line = self.line();
        let Some(tok) = self.peek() else {
            return Err((line, "expected a value".into()));
        };
        self.at += 1;
        let expr = match tok {
            Tok::Name(name) => Expr::Name(name.clone()),
            Tok::Num(n) => Expr::Num(n.clone()),
            Tok::Str { text, f } => {
                // Adjacent literals concatenate.
                let mut parts = vec![(text.clone(), *f)];
                while let Some(Tok::Str { text, f }) = self.peek() {
                    parts.push((text.clone(), *f));
                    self.at += 1;
                }
                if parts.iter().any(|(_, f)| *f) {
                    let mut out = Vec::new();
                    for (text, f) in parts {
                        if f {
                            out.extend(fstring(&text).map_err(|m| (line, m))?);
                        } else {
                            out.push(FPart::Text(text));
                        }
                    }
                    Expr::FStr(out)
                } else {
                    Expr::Str(parts.into_iter().map(|(t, _)| t).collect())
                }
            }
            Tok::Op("(") => {
                if self.eat(")") {
                    Expr::List(Vec::new())
                } else {
                    let first = self.expr()?;
                    if self.eat(")") {
                        return Ok(first);
                    }
                    let mut items = vec![first];
                    while self.eat(",") {
                        if self.eat(")") {
                            return Ok(self.node(Expr::List(items), line));
                        }
                        items.push(self.expr()?);
                    }
                    self.expect(")")?;
                    Expr::List(items)
                }
            }
            Tok::Op("[") => {
                let mut items = Vec::new();
                while !self.eat("]") {
                    let item = self.expr()?;
                    if matches!(item.expr, Expr::Other("a comprehension")) {
                        self.expect("]")?;
                        return Ok(item);
                    }
                    items.push(item);
                    if !self.eat(",") {
                        self.expect("]")?;
                        break;
                    }
                }
                Expr::List(items)
            }
            Tok::Op("{") => {
                let mut entries = Vec::new();
                while !self.eat("}") {
                    if self.eat("**") {
                        let spread = self.expr()?;
                        entries.push((
                            self.node(Expr::Other("a `**` spread of another dict"), spread.line),
                            spread,
                        ));
                    } else {
                        let key = self.expr()?;
                        if matches!(key.expr, Expr::Other("a comprehension")) {
                            self.expect("}")?;
                            return Ok(key);
                        }
                        if !matches!(self.peek(), Some(Tok::Op(":"))) {
                            self.skip_to_close();
                            self.expect("}")?;
                            return Ok(self.node(Expr::Other("a set"), line));
                        }
                        self.expect(":")?;
                        let value = self.expr()?;
                        entries.push((key, value));
                    }
                    if !self.eat(",") {
                        self.expect("}")?;
                        break;
                    }
                }
                Expr::Dict(entries)
            }
            Tok::Op("...") => Expr::Other("`...`"),
            Tok::Op(op) => return Err((line, format!("unexpected `{op}`"))),
            Tok::Newline => return Err((line, "unexpected end of line".into())),
        };
        Ok(self.node(expr, line))
    }
}

/// The parts of an f-string's text: literal text (`{{` is `{`) and `{code}`.
fn fstring(text: &str) -> Result<Vec<FPart>, String> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                literal.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                literal.push('}');
            }
            '{' => {
                if !literal.is_empty() {
                    parts.push(FPart::Text(std::mem::take(&mut literal)));
                }
                let mut code = String::new();
                let mut depth = 0;
                loop {
                    match chars.next() {
                        None => return Err("an f-string `{` is not closed".into()),
                        Some('}') if depth == 0 => break,
                        Some(c) => {
                            match c {
                                '{' | '[' | '(' => depth += 1,
                                '}' | ']' | ')' => depth -= 1,
                                _ => {}
                            }
                            code.push(c);
                        }
                    }
                }
                parts.push(FPart::Code(code));
            }
            c => literal.push(c),
        }
    }
    if !literal.is_empty() {
        parts.push(FPart::Text(literal));
    }
    Ok(parts)
}

/// Parses the code of an f-string part as an expression.
pub fn code(text: &str, line: usize) -> Option<Node> {
    let tokens = super::lex::lex(text, line).ok()?;
    let tokens: Vec<Token> = tokens
        .into_iter()
        .filter(|t| t.tok != Tok::Newline)
        .collect();
    let mut parser = Parser::new(&tokens);
    let node = parser.expr().ok()?;
    (parser.at == tokens.len()).then_some(node)
}
