//! Strings (escapes, surrogate pairs) and numbers.

use crate::node::{Node, Value};
use crate::span::Span;

use super::parser::{JsonParser, ParseResult, Stopped};

impl JsonParser<'_, '_> {
    /// Reads a string at the current `"`; returns its value and its span, quotes included.
    pub(super) fn string(&mut self) -> ParseResult<(String, Span)> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        // Start of the run of plain characters not yet copied to `out`. Runs are cut only at
        // ASCII bytes, so every slice below falls on character boundaries.
        let mut run = self.pos;
        loop {
            let Some(&b) = self.bytes.get(self.pos) else {
                let at = Span::new(start, start + 1);
                return Err(self.fail(at, "unterminated string", Some("add the closing `\"`")));
            };
            match b {
                b'"' => {
                    out.push_str(self.text.get(run..self.pos).unwrap_or(""));
                    self.pos += 1;
                    return Ok((out, Span::new(start, self.pos)));
                }
                b'\\' => {
                    out.push_str(self.text.get(run..self.pos).unwrap_or(""));
                    let c = self.escape(start)?;
                    out.push(c);
                    run = self.pos;
                }
                0..=0x1f => {
                    let at = Span::new(self.pos, self.pos + 1);
                    let hint = if b == b'\n' || b == b'\r' {
                        "a string cannot span lines: is its closing `\"` missing? \
                         Write a line break inside a string as `\\n`"
                    } else {
                        "write it as an escape such as `\\t` or `\\u0001`"
                    };
                    return Err(self.fail(at, "control character in string", Some(hint)));
                }
                _ => self.pos += 1,
            }
        }
    }

    /// Reads the escape sequence at the current `\`; `string_start` is the string's opening quote.
    fn escape(&mut self, string_start: usize) -> ParseResult<char> {
        let backslash = self.pos;
        let Some(&b) = self.bytes.get(backslash + 1) else {
            let at = Span::new(string_start, string_start + 1);
            return Err(self.fail(at, "unterminated string", Some("add the closing `\"`")));
        };
        self.pos = backslash + 2;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => return self.unicode_escape(backslash),
            _ => {
                let c = self
                    .text
                    .get(backslash + 1..)
                    .and_then(|s| s.chars().next());
                let shown = c.map_or(String::new(), String::from);
                let end = backslash + 1 + c.map_or(0, char::len_utf8);
                return Err(self.fail(
                    Span::new(backslash, end),
                    format!("invalid escape `\\{shown}` in string"),
                    Some("JSON escapes are `\\\"` `\\\\` `\\/` `\\b` `\\f` `\\n` `\\r` `\\t` `\\uXXXX`"),
                ));
            }
        };
        Ok(c)
    }

    /// Reads `\uXXXX` (and the low half of a surrogate pair) starting at the backslash.
    fn unicode_escape(&mut self, backslash: usize) -> ParseResult<char> {
        let high = self.hex4(backslash)?;
        let code = match high {
            0xD800..=0xDBFF => {
                let low_start = self.pos;
                let low = if self.bytes.get(low_start) == Some(&b'\\')
                    && self.bytes.get(low_start + 1) == Some(&b'u')
                {
                    self.pos = low_start + 2;
                    Some(self.hex4(low_start)?)
                } else {
                    None
                };
                match low {
                    Some(low @ 0xDC00..=0xDFFF) => {
                        0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                    }
                    _ => return Err(self.lone_surrogate(backslash, high)),
                }
            }
            0xDC00..=0xDFFF => return Err(self.lone_surrogate(backslash, high)),
            code => code,
        };
        match char::from_u32(code) {
            Some(c) => Ok(c),
            None => Err(self.lone_surrogate(backslash, high)),
        }
    }

    fn lone_surrogate(&mut self, backslash: usize, code: u32) -> Stopped {
        self.fail(
            Span::new(backslash, backslash + 6),
            format!("lone surrogate `\\u{code:04X}` in string"),
            Some("a `\\uD800`-`\\uDBFF` escape must be followed by a `\\uDC00`-`\\uDFFF` escape"),
        )
    }

    /// Reads the four hex digits after `\u` (the current position); `backslash` is for errors.
    fn hex4(&mut self, backslash: usize) -> ParseResult<u32> {
        let mut code = 0;
        for i in 0..4 {
            let digit = self
                .bytes
                .get(self.pos + i)
                .and_then(|&b| (b as char).to_digit(16));
            match digit {
                Some(d) => code = code * 16 + d,
                None => {
                    let end = (self.pos + i).min(self.bytes.len());
                    let end = self.char_span(end).end;
                    return Err(self.fail(
                        Span::new(backslash, end),
                        "invalid unicode escape: `\\u` must be followed by four hex digits",
                        None,
                    ));
                }
            }
        }
        self.pos += 4;
        Ok(code)
    }

    fn digits(&mut self) -> usize {
        let from = self.pos;
        while self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        self.pos - from
    }

    pub(super) fn number(&mut self) -> ParseResult<Node> {
        let start = self.pos;
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        match self.bytes.get(self.pos) {
            Some(b'0') => {
                self.pos += 1;
                if self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
                    let at = Span::new(start, self.pos);
                    return Err(self.fail(
                        at,
                        "leading zeros are not allowed in JSON numbers",
                        None,
                    ));
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.number_error("expected a digit after `-`")),
        }
        let mut integral = true;
        if self.bytes.get(self.pos) == Some(&b'.') {
            integral = false;
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.number_error("expected a digit after the decimal point"));
            }
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.pos) {
            integral = false;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.pos) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.number_error("expected a digit in the exponent"));
            }
        }
        let span = Span::new(start, self.pos);
        let text = self.text.get(start..self.pos).unwrap_or("");
        let int = if integral {
            text.parse::<i64>().ok()
        } else {
            None
        };
        let value = match int {
            Some(i) => Value::Int(i),
            None => match text.parse::<f64>() {
                Ok(f) if f.is_finite() => Value::Float(f),
                _ => {
                    return Err(self.fail(
                        span,
                        format!("the number `{text}` is out of range"),
                        None,
                    ));
                }
            },
        };
        Ok(Node::new(value, span))
    }

    fn number_error(&mut self, message: &str) -> Stopped {
        if self.pos >= self.bytes.len() {
            return self.end_of_input();
        }
        let at = self.char_span(self.pos);
        self.fail(at, message, None)
    }
}
