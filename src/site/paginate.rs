//! Long lists cut into pages: page 1 at the list's own URL, page N at `<list>/page/N/`.

use std::ops::Range;

/// One page of a paginated list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pager {
    /// 1-based page number.
    pub number: usize,
    /// How many pages the list has (at least 1, even when empty).
    pub count: usize,
    /// Site path of this page.
    pub path: String,
    /// Which of the list's items this page shows.
    pub items: Range<usize>,
}

/// The pages of a list of `items` at `path`, `per_page` to a page (0: one page holds all).
pub fn pagers(path: &str, items: usize, per_page: usize) -> impl Iterator<Item = Pager> + '_ {
    (1..).map_while(move |number| pager(path, items, per_page, number))
}

/// Page `number` (1-based) of that list, if it has one.
pub fn pager(path: &str, items: usize, per_page: usize, number: usize) -> Option<Pager> {
    let per_page = if per_page == 0 { items.max(1) } else { per_page };
    let count = items.div_ceil(per_page).max(1);
    (1..=count).contains(&number).then(|| Pager {
        number,
        count,
        path: page_path(path, number),
        items: (number - 1) * per_page..(number * per_page).min(items),
    })
}

/// The site path of page `number` of the list at `path`.
pub fn page_path(path: &str, number: usize) -> String {
    if number <= 1 {
        path.to_string()
    } else {
        format!("{path}page/{number}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_page_at_the_list_url_and_the_rest_numbered() {
        let pages: Vec<Pager> = pagers("en/briefings/", 45, 20).collect();
        assert_eq!(pages.len(), 3);
        assert_eq!(pages[0].path, "en/briefings/");
        assert_eq!(pages[1].path, "en/briefings/page/2/");
        assert_eq!(pages[2].items, 40..45);
        assert!(pages.iter().all(|p| p.count == 3));
    }

    #[test]
    fn empty_and_unpaginated_lists_have_one_page() {
        assert_eq!(pagers("", 0, 20).count(), 1);
        assert_eq!(pager("x/", 0, 20, 2), None);
        let all: Vec<Pager> = pagers("", 45, 0).collect();
        assert_eq!((all.len(), all[0].items.clone()), (1, 0..45));
    }
}
