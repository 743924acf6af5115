//! Column alignment as kubectl's printers do it: Go's `text/tabwriter` with minwidth 6, tabwidth 4,
//! padding 3 and space padding. Every column but the last is padded to its widest cell plus 3 spaces
//! (and at least 6 characters); the last column is printed as is.
//!
//! A [`Table`] keeps every cell's text back to back in one buffer (a listing of 150,000 pods is close to a
//! million cells, and a `String` each would make allocation the bulk of the work) and widens its columns
//! as rows are added, so laying it out is a single pass.

use std::fmt;

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

/// Rows of cells to align. Cells are written with [`Table::cell`] (or into [`Table::buf`] and closed with
/// [`Table::end_cell`]), rows closed with [`Table::end_row`].
#[derive(Default)]
pub struct Table {
    /// Every cell's text, back to back.
    text: String,
    /// Where each cell ends in `text` (it starts where the previous one ends); 32 bits halve what a long
    /// listing writes here.
    cell_ends: Vec<u32>,
    /// How many cells there are up to the end of each row.
    row_ends: Vec<usize>,
    /// Each column's padded width, over the cells that are not the last of their row.
    widths: Vec<usize>,
}

impl Table {
    pub fn new() -> Table {
        Table::default()
    }

    /// A table expected to hold about `rows` rows of `columns` cells and `bytes` bytes of text.
    pub fn with_capacity(rows: usize, columns: usize, bytes: usize) -> Table {
        Table {
            text: String::with_capacity(bytes),
            cell_ends: Vec::with_capacity(rows * columns),
            row_ends: Vec::with_capacity(rows),
            widths: Vec::new(),
        }
    }

    /// The text of the cell being written: append to it, then call [`Table::end_cell`].
    pub fn buf(&mut self) -> &mut String {
        &mut self.text
    }

    /// Closes the cell written into [`Table::buf`] since the previous cell.
    pub fn end_cell(&mut self) {
        self.cell_ends.push(u32::try_from(self.text.len()).expect("a table's text stays under 4 GiB"));
    }

    /// Adds one cell to the current row.
    pub fn cell(&mut self, text: &str) {
        self.text.push_str(text);
        self.end_cell();
    }

    /// Adds one cell written with `format_args!`.
    pub fn cell_fmt(&mut self, args: fmt::Arguments<'_>) {
        // Writing into a String cannot fail.
        let _ = fmt::Write::write_fmt(&mut self.text, args);
        self.end_cell();
    }

    /// Closes the current row, widening the columns its cells (but the last) need.
    pub fn end_row(&mut self) {
        let first = self.row_ends.last().copied().unwrap_or(0);
        let last = self.cell_ends.len();
        self.row_ends.push(last);
        let cells = last - first;
        if self.widths.len() + 1 < cells {
            self.widths.resize(cells - 1, 0);
        }
        let mut start = self.cell_start(first);
        for (column, &end) in self.cell_ends[first..last.saturating_sub(1).max(first)].iter().enumerate() {
            let end = end as usize;
            let w = (width(&self.text[start..end]) + PADDING).max(MIN_WIDTH);
            if w > self.widths[column] {
                self.widths[column] = w;
            }
            start = end;
        }
    }

    /// How many rows are closed.
    pub fn rows(&self) -> usize {
        self.row_ends.len()
    }

    /// Where cell `i` starts in `text`.
    fn cell_start(&self, i: usize) -> usize {
        if i == 0 {
            0
        } else {
            self.cell_ends[i - 1] as usize
        }
    }

    /// The cells of row `row`.
    pub fn row(&self, row: usize) -> impl Iterator<Item = &str> + '_ {
        let first = if row == 0 { 0 } else { self.row_ends[row - 1] };
        let last = self.row_ends[row];
        (first..last).map(move |i| &self.text[self.cell_start(i)..self.cell_ends[i] as usize])
    }

    /// Appends the aligned rows to `out`, each ending in a newline.
    pub fn render_into(&self, out: &mut String) {
        let padded: usize = self.widths.iter().sum();
        out.reserve(self.text.len() + self.row_ends.len() * (padded + 1));
        let mut first = 0;
        let mut start = 0;
        for &row_end in &self.row_ends {
            for (column, i) in (first..row_end).enumerate() {
                let end = self.cell_ends[i] as usize;
                let cell = &self.text[start..end];
                out.push_str(cell);
                if i + 1 < row_end {
                    let mut pad = self.widths[column] - width(cell);
                    while pad > 0 {
                        let n = pad.min(SPACES.len());
                        out.push_str(&SPACES[..n]);
                        pad -= n;
                    }
                }
                start = end;
            }
            out.push('\n');
            first = row_end;
        }
    }

    /// The aligned rows, each ending in a newline.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.render_into(&mut out);
        out
    }
}

/// Lays out rows (the header included, if any) into aligned text, each row ending in a newline.
pub fn render(rows: &[Vec<String>]) -> String {
    let bytes = rows.iter().flatten().map(String::len).sum();
    let mut table = Table::with_capacity(rows.len(), rows.first().map_or(0, Vec::len), bytes);
    for row in rows {
        for cell in row {
            table.cell(cell);
        }
        table.end_row();
    }
    table.render()
}

const SPACES: &str = "                                                                ";

#[cfg(test)]
mod tests {
    use super::{render, Table};

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

    #[test]
    fn ragged_rows_empty_cells_and_wide_characters() {
        // A short row's last cell does not widen its column; an empty cell is still a cell; widths count
        // characters, not bytes; padding longer than the spaces constant is written in pieces.
        let long = "x".repeat(100);
        let rows = [row(&["A", "B", "C"]), row(&["a-much-longer-cell"]), row(&["", "é", "z"]), row(&[&long, "y"])];
        let want = format!(
            "A{a}B     C\na-much-longer-cell\n{e}é     z\n{long}   y\n",
            a = " ".repeat(102),
            e = " ".repeat(103)
        );
        assert_eq!(render(&rows), want);
        assert_eq!(render(&[]), "");
        assert_eq!(render(&[vec![]]), "\n");
    }

    #[test]
    fn cells_written_into_the_buffer_read_back_per_row() {
        let mut t = Table::new();
        t.cell("NAME");
        t.buf().push_str("pod/");
        t.buf().push_str("web");
        t.end_cell();
        t.cell_fmt(format_args!("{}/{}", 1, 2));
        t.end_row();
        t.cell("x");
        t.end_row();
        assert_eq!(t.rows(), 2);
        assert_eq!(t.row(0).collect::<Vec<_>>(), ["NAME", "pod/web", "1/2"]);
        assert_eq!(t.row(1).collect::<Vec<_>>(), ["x"]);
        assert_eq!(t.render(), "NAME   pod/web   1/2\nx\n");
    }
}
