//! Tera's list filters `slice`, `first`, `last` and `nth`, reading the list in place. Tera's
//! own copy the whole list before they pick from it: `section.pages | slice(end=20)` on a home
//! page of 10,000 articles copied 10,000 cards to show 20. These take the same arguments and
//! give the same results and errors.

use std::collections::HashMap;

use tera::{Error, Result, Tera, Value};

/// Replaces Tera's list filters in `tera` with these.
pub fn register(tera: &mut Tera) {
    tera.register_filter("slice", slice);
    tera.register_filter("first", |v: &Value, _: &HashMap<String, Value>| {
        Ok(list("first", v)?.first().cloned().unwrap_or_else(empty))
    });
    tera.register_filter("last", |v: &Value, _: &HashMap<String, Value>| {
        Ok(list("last", v)?.last().cloned().unwrap_or_else(empty))
    });
    tera.register_filter("nth", nth);
}

/// What Tera gives for an item that is not there.
fn empty() -> Value {
    Value::String(String::new())
}

fn list<'v>(filter: &str, value: &'v Value) -> Result<&'v [Value]> {
    value.as_array().map(Vec::as_slice).ok_or_else(|| {
        Error::msg(format!(
            "Filter `{filter}` was called on an incorrect value: got `{value}` but expected a list"
        ))
    })
}

/// `start` and `end` count from the end when negative, as in Tera.
fn index(args: &HashMap<String, Value>, name: &str, len: usize) -> Result<Option<usize>> {
    let Some(arg) = args.get(name) else {
        return Ok(None);
    };
    let i = arg.as_f64().ok_or_else(|| {
        Error::msg(format!(
            "Filter `slice` received an incorrect type for arg `{name}`: got `{arg}` but expected a number"
        ))
    })?;
    // Float to integer casts saturate: an index before the start is 0.
    Ok(Some(if i >= 0.0 {
        i as usize
    } else {
        (len as f64 + i) as usize
    }))
}

fn slice(value: &Value, args: &HashMap<String, Value>) -> Result<Value> {
    let items = list("slice", value)?;
    if items.is_empty() {
        return Ok(Value::Array(Vec::new()));
    }
    let start = index(args, "start", items.len())?.unwrap_or(0);
    let end = index(args, "end", items.len())?
        .unwrap_or(items.len())
        .min(items.len());
    Ok(Value::Array(
        items.get(start..end).map(<[Value]>::to_vec).unwrap_or_default(),
    ))
}

fn nth(value: &Value, args: &HashMap<String, Value>) -> Result<Value> {
    let items = list("nth", value)?;
    let n = match args.get("n") {
        Some(n) => n.as_u64().ok_or_else(|| {
            Error::msg(format!(
                "Filter `nth` received an incorrect type for arg `n`: got `{n}` but expected a whole number"
            ))
        })?,
        None => return Err(Error::msg("The `nth` filter has to have an `n` argument")),
    };
    let item = usize::try_from(n).ok().and_then(|n| items.get(n));
    Ok(item.cloned().unwrap_or_else(empty))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tera::Context;

    /// Renders `template` with `xs` = 0..5 through Tera's own filters and through these.
    fn both(template: &str) -> (Result<String>, Result<String>) {
        let mut ctx = Context::new();
        ctx.insert("xs", &[0, 1, 2, 3, 4]);
        ctx.insert("none", &Vec::<i32>::new());
        ctx.insert("text", "abc");
        let mut theirs = Tera::default();
        let mut ours = Tera::default();
        register(&mut ours);
        (theirs.render_str(template, &ctx), ours.render_str(template, &ctx))
    }

    #[test]
    fn same_results_as_teras_filters() {
        for t in [
            "{{ xs | slice(end=2) | join(sep=',') }}",
            "{{ xs | slice(start=1, end=3) | join(sep=',') }}",
            "{{ xs | slice(start=-2) | join(sep=',') }}",
            "{{ xs | slice(start=1, end=-1) | join(sep=',') }}",
            "{{ xs | slice(start=-9, end=-8) | length }}",
            "{{ xs | slice(start=4, end=2) | length }}",
            "{{ xs | slice(start=2, end=99) | join(sep=',') }}",
            "{{ xs | slice(start=1.7) | join(sep=',') }}",
            "{{ none | slice(end=3) | length }}",
            "{{ none | slice(end='a') | length }}",
            "{{ xs | first }} {{ xs | last }} {{ xs | nth(n=3) }} [{{ xs | nth(n=9) }}]",
            "[{{ none | first }}] [{{ none | last }}] [{{ none | nth(n=0) }}]",
        ] {
            let (theirs, ours) = both(t);
            assert_eq!(ours.unwrap(), theirs.unwrap(), "{t}");
        }
    }

    #[test]
    fn wrong_values_are_errors() {
        for t in [
            "{{ text | slice(end=1) }}",
            "{{ text | first }}",
            "{{ xs | nth }}",
            "{{ xs | nth(n='a') }}",
            "{{ xs | slice(end='a') }}",
        ] {
            let (theirs, ours) = both(t);
            assert!(theirs.is_err() && ours.is_err(), "{t}");
        }
    }
}
