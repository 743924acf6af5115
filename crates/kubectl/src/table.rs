//! Column alignment as kubectl's printers do it: Go's `text/tabwriter` with minwidth 6, tabwidth 4,
//! padding 3 and space padding. Every column but the last is padded to its widest cell plus 3 spaces
//! (and at least 6 characters); the last column is printed as is.

const MIN_WIDTH: usize = 6;
const PADDING: usize = 3;

/// Display width of a cell: its characters (ASCII cells, nearly all of them, are counted by length).
fn width(cell: &str) -> usize {
    if cell.is_ascii() {
        cell.len()
    } else {
        cell.chars().count()
    }
}

/// Lays out rows (the header included, if any) into aligned text, each row ending in a newline.
pub fn render(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; columns];
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(row.len().saturating_sub(1)) {
            widths[i] = widths[i].max((width(cell) + PADDING).max(MIN_WIDTH));
        }
    }
    let line: usize = widths.iter().sum::<usize>() + 16;
    let mut out = String::with_capacity(rows.len() * line);
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            out.push_str(cell);
            if i + 1 < row.len() {
                let mut pad = widths[i] - width(cell);
                while pad > 0 {
                    let n = pad.min(SPACES.len());
                    out.push_str(&SPACES[..n]);
                    pad -= n;
                }
            }
        }
        out.push('\n');
    }
    out
}

const SPACES: &str = "                                                                ";

#[cfg(test)]
mod tests {
    use super::render;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn columns_are_widest_cell_plus_three_and_at_least_six() {
        let out = render(&[row(&["NAME", "AGE", "VERSION"]), row(&["worker-1", "0s", "v1.34.0"])]);
        assert_eq!(out, "NAME       AGE   VERSION\nworker-1   0s    v1.34.0\n");
    }

    #[test]
    fn last_column_is_not_padded() {
        let out = render(&[row(&["A", "LONG-LAST"]), row(&["B", "x"])]);
        assert_eq!(out, "A     LONG-LAST\nB     x\n");
    }
}
