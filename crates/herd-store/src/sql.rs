//! A statement built up from optional parts (filters, paging): SQL text and its integer or
//! text arguments in order, for lists whose filters a client chooses.

use crate::{Conn, Page, Result};

pub(crate) struct Sql {
    pub(crate) text: String,
    pub(crate) args: Vec<Arg>,
}

pub(crate) enum Arg {
    I(i64),
    S(String),
}

impl Sql {
    pub(crate) fn new(text: impl Into<String>) -> Sql {
        Sql {
            text: text.into(),
            args: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, text: &str, args: impl IntoIterator<Item = Arg>) -> &mut Self {
        self.text.push_str(text);
        self.args.extend(args);
        self
    }

    /// Adds the page's bounds and order on `s.id`; true when rows come oldest first.
    pub(crate) fn page(&mut self, page: &Page) -> bool {
        self.page_on("s.id", page)
    }

    /// Adds the page's bounds and order on `col`; true when rows come oldest first.
    pub(crate) fn page_on(&mut self, col: &str, page: &Page) -> bool {
        let (clause, args, asc) = page.clause(col);
        self.push(&clause, args.into_iter().map(Arg::I));
        self.text.push_str(&page.order(col, asc));
        asc
    }

    /// Runs the statement; rows read oldest first (`asc`) are returned newest first.
    pub(crate) async fn fetch<T>(self, c: &mut Conn, asc: bool) -> Result<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        let mut q = c.qa::<T>(&self.text);
        for a in self.args {
            q = match a {
                Arg::I(i) => q.bind(i),
                Arg::S(s) => q.bind(s),
            };
        }
        let mut rows = q.fetch_all(c.ex()).await?;
        if asc {
            rows.reverse();
        }
        Ok(rows)
    }
}
