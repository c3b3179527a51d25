//! IAM's text patterns: `*` and `?` wildcards, and policy variables
//! (`${aws:username}`) substituted from the request context.

/// One element of a pattern once its policy variables are substituted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    Literal(char),
    /// `*`: any run of characters, `/` and `:` included.
    AnyRun,
    /// `?`: exactly one character.
    AnyOne,
}

/// A pattern as read from a policy, variables already substituted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Pattern(Vec<Token>);

/// A policy variable the request context has no value (and the policy no
/// default) for, as written (`${aws:username}`): what it matches cannot be
/// known offline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct UnknownVariable(pub String);

impl Pattern {
    /// Reads `text`; `variables` is the request context when the document's
    /// Version supports policy variables (2012-10-17), `None` when `${..}` is
    /// plain text. Characters a variable expands to are literal, never
    /// wildcards.
    pub(super) fn new(
        text: &str,
        variables: Option<&[(&str, &str)]>,
    ) -> Result<Pattern, UnknownVariable> {
        let mut tokens = Vec::with_capacity(text.len());
        let mut rest = text;
        while let Some(next) = rest.chars().next() {
            if let (Some(context), Some(body)) = (variables, rest.strip_prefix("${")) {
                if let Some(end) = body.find('}') {
                    let written = &rest[..end + 3];
                    let value = variable_value(&body[..end], context)
                        .ok_or_else(|| UnknownVariable(written.to_owned()))?;
                    tokens.extend(value.chars().map(Token::Literal));
                    rest = &body[end + 1..];
                    continue;
                }
            }
            tokens.push(match next {
                '*' => Token::AnyRun,
                '?' => Token::AnyOne,
                other => Token::Literal(other),
            });
            rest = &rest[next.len_utf8()..];
        }
        Ok(Pattern(tokens))
    }

    /// Whether `text` matches, wildcards included; `fold_case` compares
    /// letters case-insensitively (action names).
    pub(super) fn matches(&self, text: &str, fold_case: bool) -> bool {
        let text: Vec<char> = text.chars().collect();
        glob(&self.0, &text, fold_case)
    }

    /// The pattern as plain text, wildcards read as the characters they were
    /// written as (the `Equals` operators have no wildcards).
    pub(super) fn literal(&self) -> String {
        self.0
            .iter()
            .map(|token| match token {
                Token::Literal(char) => *char,
                Token::AnyRun => '*',
                Token::AnyOne => '?',
            })
            .collect()
    }

    /// The six colon-separated parts of an ARN pattern (the last keeps any
    /// further colons), or `None` if it has fewer.
    pub(super) fn arn_parts(&self) -> Option<Vec<Pattern>> {
        let mut parts = vec![Vec::new()];
        for token in &self.0 {
            match token {
                Token::Literal(':') if parts.len() < 6 => parts.push(Vec::new()),
                other => parts.last_mut()?.push(*other),
            }
        }
        (parts.len() == 6).then(|| parts.into_iter().map(Pattern).collect())
    }
}

/// `${*}`, `${?}` and `${$}` are escapes for the character itself;
/// `${key}` and `${key, 'default'}` take the key's value from the context
/// (keys are case-insensitive), else the default.
fn variable_value(body: &str, context: &[(&str, &str)]) -> Option<String> {
    let (key, default) = match body.split_once(',') {
        Some((key, default)) => (key.trim(), Some(default.trim())),
        None => (body.trim(), None),
    };
    if let "*" | "?" | "$" = key {
        return Some(key.to_owned());
    }
    context
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(key))
        .map(|(_, value)| (*value).to_owned())
        .or_else(|| {
            default.map(|default| {
                let unquoted = default
                    .strip_prefix('\'')
                    .and_then(|inner| inner.strip_suffix('\''));
                unquoted.unwrap_or(default).to_owned()
            })
        })
}

/// Wildcard match with one backtracking point per `*`: linear in practice
/// and never exponential, whatever a foreign policy holds.
fn glob(tokens: &[Token], text: &[char], fold_case: bool) -> bool {
    let same = |pattern: char, actual: char| {
        pattern == actual || (fold_case && pattern.to_lowercase().eq(actual.to_lowercase()))
    };
    let (mut at_token, mut at_char) = (0, 0);
    // Where to resume after the last `*`: (token after it, chars it has eaten up to).
    let mut resume: Option<(usize, usize)> = None;
    while at_char < text.len() {
        match tokens.get(at_token) {
            Some(Token::AnyRun) => {
                resume = Some((at_token + 1, at_char));
                at_token += 1;
            }
            Some(Token::AnyOne) => {
                at_token += 1;
                at_char += 1;
            }
            Some(Token::Literal(expected)) if same(*expected, text[at_char]) => {
                at_token += 1;
                at_char += 1;
            }
            _ => match resume {
                Some((after_star, eaten)) => {
                    resume = Some((after_star, eaten + 1));
                    at_token = after_star;
                    at_char = eaten + 1;
                }
                None => return false,
            },
        }
    }
    tokens[at_token..]
        .iter()
        .all(|token| *token == Token::AnyRun)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, text: &str) -> bool {
        Pattern::new(pattern, None)
            .expect("no variables")
            .matches(text, false)
    }

    #[test]
    fn wildcards_match_runs_and_single_characters() {
        assert!(matches(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket/a/b:c"
        ));
        assert!(matches("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/"));
        assert!(!matches("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket"));
        assert!(matches("a?c", "abc"));
        assert!(!matches("a?c", "ac"));
        assert!(matches("*a*b*", "xxaxxbxx"));
        assert!(!matches("*a*b", "xxbxxa"));
        assert!(matches("", ""));
        assert!(!matches("", "a"));
        assert!(matches("**", ""));
        assert!(!matches("Bucket", "bucket"));
    }

    #[test]
    fn case_folding_is_opt_in() {
        let pattern = Pattern::new("s3:Get*", None).expect("no variables");
        assert!(pattern.matches("S3:GETOBJECT", true));
        assert!(!pattern.matches("S3:GETOBJECT", false));
    }

    #[test]
    fn many_stars_on_a_long_text_finish() {
        let pattern = "*a".repeat(50) + "b";
        assert!(!matches(&pattern, &"a".repeat(5_000)));
    }

    #[test]
    fn variables_are_substituted_literally_or_unknown() {
        let context = [("aws:username", "a*b")];
        let pattern = Pattern::new("home/${AWS:UserName}/*", Some(&context)).expect("known");
        assert!(pattern.matches("home/a*b/file", false));
        assert!(!pattern.matches("home/aXb/file", false));
        assert_eq!(
            Pattern::new("home/${aws:userid}/*", Some(&context)),
            Err(UnknownVariable("${aws:userid}".to_owned()))
        );
        let defaulted = Pattern::new("${aws:userid, 'none'}${*}${?}${$}", Some(&context));
        assert_eq!(defaulted.expect("default").literal(), "none*?$");
        let plain = Pattern::new("home/${aws:userid}", None).expect("no variables");
        assert_eq!(plain.literal(), "home/${aws:userid}");
        let unterminated = Pattern::new("a${b", Some(&context)).expect("plain text");
        assert_eq!(unterminated.literal(), "a${b");
    }

    #[test]
    fn arn_parts_keep_colons_of_the_resource() {
        let pattern =
            Pattern::new("arn:aws:sns:*:111111111111:topic:extra", None).expect("no variables");
        let parts: Vec<String> = pattern
            .arn_parts()
            .expect("six parts")
            .iter()
            .map(Pattern::literal)
            .collect();
        assert_eq!(
            parts,
            ["arn", "aws", "sns", "*", "111111111111", "topic:extra"]
        );
        let short = Pattern::new("arn:aws:s3", None).expect("no variables");
        assert_eq!(short.arn_parts(), None);
    }
}
