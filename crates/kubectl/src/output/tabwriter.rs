//! The tab writer kubectl aligns `-o custom-columns` with: `github.com/liggitt/tabwriter` (a fork of Go's
//! `text/tabwriter`) as `printers.GetNewTabWriter` configures it — minwidth 6, padding 3, space padding
//! and the `RememberWidths` flag.
//!
//! This is a port of the fork's algorithm rather than a simple "pad every column" loop because cell
//! text can contain tabs and newlines (custom columns print values verbatim), and Go's elastic
//! tabstops then split and re-flow the table in ways only the real algorithm reproduces: a line with a
//! single cell flushes the buffer, columns are aligned per block of consecutive lines, and remembered
//! widths carry over flushes.

const MIN_WIDTH: usize = 6;
const PADDING: usize = 3;

#[derive(Clone, Copy, Default)]
struct Cell {
    /// Size in bytes of the cell text in `buf`.
    size: usize,
    /// Width in runes.
    width: usize,
}

#[derive(Default)]
struct Writer {
    out: String,
    buf: String,
    cell: Cell,
    lines: Vec<Vec<Cell>>,
    widths: Vec<usize>,
    max_widths: Vec<usize>,
}

impl Writer {
    fn new() -> Writer {
        let mut w = Writer::default();
        w.reset();
        w
    }

    fn reset(&mut self) {
        self.buf.clear();
        self.cell = Cell::default();
        self.lines.clear();
        self.widths.clear();
        self.lines.push(Vec::new());
    }

    fn terminate_cell(&mut self) -> usize {
        let cell = std::mem::take(&mut self.cell);
        let line = self.lines.last_mut().expect("reset always leaves one line");
        line.push(cell);
        line.len()
    }

    fn write(&mut self, text: &str) {
        for c in text.chars() {
            match c {
                '\t' | '\u{b}' | '\n' | '\u{c}' => {
                    let cells = self.terminate_cell();
                    if c == '\n' || c == '\u{c}' {
                        self.lines.push(Vec::new());
                        if c == '\u{c}' || cells == 1 {
                            // A line with a single cell cannot affect the alignment of later lines.
                            self.flush();
                        }
                    }
                }
                c => {
                    self.buf.push(c);
                    self.cell.size += c.len_utf8();
                    self.cell.width += 1;
                }
            }
        }
    }

    fn flush(&mut self) {
        if self.cell.size > 0 {
            self.terminate_cell();
        }
        let line_count = self.lines.len();
        self.format(0, 0, line_count);
        self.reset();
    }

    fn write_lines(&mut self, mut pos: usize, line0: usize, line1: usize) -> usize {
        for i in line0..line1 {
            let line = self.lines[i].clone();
            for (j, c) in line.iter().enumerate() {
                if c.size > 0 {
                    self.out.push_str(&self.buf[pos..pos + c.size]);
                    pos += c.size;
                }
                if j < self.widths.len() {
                    let pad = self.widths[j].saturating_sub(c.width);
                    self.out.extend(std::iter::repeat_n(' ', pad));
                }
            }
            if i + 1 == self.lines.len() {
                // The last buffered line has no newline yet: write what is pending of the open cell.
                self.out.push_str(&self.buf[pos..pos + self.cell.size]);
                pos += self.cell.size;
            } else {
                self.out.push('\n');
            }
        }
        pos
    }

    fn format(&mut self, pos0: usize, line0: usize, line1: usize) -> usize {
        let mut pos = pos0;
        let mut line0 = line0;
        let column = self.widths.len();
        let mut this = line0;
        while this < line1 {
            if column + 1 >= self.lines[this].len() {
                this += 1;
                continue;
            }
            // A cell exists in this column: print the lines above the block, then size the block.
            pos = self.write_lines(pos, line0, this);
            line0 = this;
            let mut width = MIN_WIDTH;
            while this < line1 {
                let line = &self.lines[this];
                if column + 1 >= line.len() {
                    break;
                }
                width = width.max(line[column].width + PADDING);
                this += 1;
            }
            // RememberWidths: a column never shrinks below what earlier flushes gave it.
            if self.max_widths.len() < self.widths.len() {
                let missing = self.widths[self.max_widths.len()..].to_vec();
                self.max_widths.extend(missing);
            }
            if self.max_widths.len() == self.widths.len() {
                self.max_widths.push(width);
            } else if self.max_widths[self.widths.len()] > width {
                width = self.max_widths[self.widths.len()];
            } else {
                self.max_widths[self.widths.len()] = width;
            }
            self.widths.push(width);
            pos = self.format(pos, line0, this);
            self.widths.pop();
            line0 = this;
        }
        self.write_lines(pos, line0, line1)
    }
}

/// Aligns tab-separated text as kubectl's tab writer does after a final `Flush`.
pub(crate) fn align(text: &str) -> String {
    let mut w = Writer::new();
    w.write(text);
    w.flush();
    w.out
}

#[cfg(test)]
mod tests {
    use super::align;

    #[test]
    fn aligns_like_kubectl() {
        // Outputs of `kubectl get -o custom-columns=...` (v1.32) for the same cells.
        let cases: &[(&str, &str)] = &[
            ("A\tB\nx\t1\ny\t5\n", "A     B\nx     1\ny     5\n"),
            (
                "LONGHEADERNAME\tB\tC\nConfigMap\tConfigMap\tConfigMap\n",
                "LONGHEADERNAME   B           C\nConfigMap        ConfigMap   ConfigMap\n",
            ),
            ("A\nx\n", "A\nx\n"),
            ("\nx\n", "\nx\n"),
            ("A B\nConfigMap\n", "A B\nConfigMap\n"),
        ];
        for (input, want) in cases {
            assert_eq!(align(input), *want, "{input:?}");
        }
    }

    #[test]
    fn single_cell_lines_split_blocks_but_widths_are_remembered() {
        // The middle line has one cell: it flushes what is above it, and later blocks never get
        // narrower than the widths remembered from before the flush.
        assert_eq!(align("a\tb\nline\nlonger-cell\tc\n"), "a     b\nline\nlonger-cell   c\n");
        assert_eq!(align("longer-cell\tb\nline\na\tc\n"), "longer-cell   b\nline\na             c\n");
    }

    #[test]
    fn text_without_final_newline_is_kept() {
        assert_eq!(align("a\tb\ncc"), "a     b\ncc");
    }
}
