//! The one layout helper every document is drawn with: wrapped text measured by glyph
//! widths, label/value fields, tables whose header repeats after a page break, signature
//! boxes kept together, QR codes, and running headers and footers with page numbers.
//!
//! Coordinates inside [`Flow`] are points measured down from the top of the page; they
//! are turned into PDF coordinates (up from the bottom) only when an operation is emitted.
//! Every string goes through [`Flow::sanitize`] first: characters the font lacks are
//! transliterated or replaced with `?` and reported, so a PDF never holds `.notdef` boxes.

use printpdf::{
    Color, FontId, Line, LinePoint, Mm, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, Rect, Rgb, TextItem, WindingOrder,
};

use crate::error::DocumentError;
use crate::fonts::{Face, Fonts};

/// Points per millimetre.
pub const PT_PER_MM: f32 = 2.834_646;

fn mm(v: f32) -> f32 {
    v * PT_PER_MM
}

/// Paper size and margins, in millimetres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageSize {
    /// Width.
    pub width_mm: f32,
    /// Height.
    pub height_mm: f32,
    /// Margin on every side.
    pub margin_mm: f32,
}

impl PageSize {
    /// A4 landscape with 15 mm margins (registers with a signature column).
    pub const A4_LANDSCAPE: PageSize = PageSize {
        width_mm: 297.0,
        height_mm: 210.0,
        margin_mm: 15.0,
    };
    /// A5 portrait with 12 mm margins (receipts).
    pub const A5: PageSize = PageSize {
        width_mm: 148.0,
        height_mm: 210.0,
        margin_mm: 12.0,
    };
    /// A4 portrait with 18 mm margins (forms, registers, reports).
    pub const A4: PageSize = PageSize {
        width_mm: 210.0,
        height_mm: 297.0,
        margin_mm: 18.0,
    };
    /// A6 portrait with 8 mm margins (tickets and slips from an office printer).
    pub const A6: PageSize = PageSize {
        width_mm: 105.0,
        height_mm: 148.0,
        margin_mm: 8.0,
    };
}

/// Horizontal alignment of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    /// Left.
    #[default]
    Left,
    /// Centre.
    Center,
    /// Right (numbers in tables).
    Right,
}

/// Colours of the house style: black text, a navy accent, grey labels, light fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ink {
    /// Body text.
    #[default]
    Black,
    /// Headings and the ticket number.
    Navy,
    /// Labels and running headers.
    Grey,
    /// Text on a navy band.
    White,
    /// Table header fill.
    Shade,
}

impl Ink {
    fn color(self) -> Color {
        let (r, g, b) = match self {
            Ink::Black => (0.0, 0.0, 0.0),
            Ink::Navy => (0.06, 0.17, 0.36),
            Ink::Grey => (0.38, 0.40, 0.44),
            Ink::White => (1.0, 1.0, 1.0),
            Ink::Shade => (0.90, 0.92, 0.95),
        };
        Color::Rgb(Rgb::new(r, g, b, None))
    }
}

/// How a run of text looks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    /// Size in points.
    pub size: f32,
    /// Bold face.
    pub bold: bool,
    /// Alignment within the line.
    pub align: Align,
    /// Colour.
    pub ink: Ink,
    /// Line height as a multiple of the size.
    pub leading: f32,
}

impl Style {
    /// 10 pt body text.
    pub const BODY: Style = Style {
        size: 10.0,
        bold: false,
        align: Align::Left,
        ink: Ink::Black,
        leading: 1.3,
    };
    /// 8 pt grey label text.
    pub const LABEL: Style = Style {
        size: 8.0,
        bold: false,
        align: Align::Left,
        ink: Ink::Grey,
        leading: 1.3,
    };
    /// 13 pt bold navy heading.
    pub const HEADING: Style = Style {
        size: 13.0,
        bold: true,
        align: Align::Left,
        ink: Ink::Navy,
        leading: 1.3,
    };
    /// 16 pt bold centred title.
    pub const TITLE: Style = Style {
        size: 16.0,
        bold: true,
        align: Align::Center,
        ink: Ink::Black,
        leading: 1.25,
    };

    /// This style in another size.
    pub const fn sized(self, size: f32) -> Style {
        Style { size, ..self }
    }
    /// This style in bold (or not).
    pub const fn bold(self, bold: bool) -> Style {
        Style { bold, ..self }
    }
    /// This style aligned.
    pub const fn aligned(self, align: Align) -> Style {
        Style { align, ..self }
    }
    /// This style in another colour.
    pub const fn ink(self, ink: Ink) -> Style {
        Style { ink, ..self }
    }
    /// This style with another line height (multiple of the size).
    pub const fn leading(self, leading: f32) -> Style {
        Style { leading, ..self }
    }
    fn line_height(&self) -> f32 {
        self.size * self.leading
    }
}

/// Text in the margins of every page: a header line (left and right) and a footer line
/// (left; the page number "Halaman i dari n" goes right).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Running {
    /// Header, left (usually the office).
    pub header_left: String,
    /// Header, right (usually the document title).
    pub header_right: String,
    /// Footer, left (usually when and by what it was printed).
    pub footer_left: String,
}

/// One column of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Header text.
    pub title: String,
    /// Relative width (the columns share the content width in proportion).
    pub weight: f32,
    /// Alignment of the cells.
    pub align: Align,
}

impl Column {
    /// A column.
    pub fn new(title: &str, weight: f32, align: Align) -> Self {
        Column {
            title: title.to_string(),
            weight,
            align,
        }
    }
}

/// A table: header row, body rows, optional bold total row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// Columns.
    pub columns: Vec<Column>,
    /// Body rows (missing cells render empty, extra cells are ignored).
    pub rows: Vec<Vec<String>>,
    /// A last row in bold (totals).
    pub total: Option<Vec<String>>,
    /// Text size in points (0 means 9 pt).
    pub size: f32,
    /// Minimum body row height in millimetres (room to sign in a register).
    pub min_row_mm: f32,
}

/// A box to sign in: role at the top, room, a line, the name and an id under it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SignatureBox {
    /// Who signs ("Pemohon", "Petugas Pemeriksa").
    pub role: String,
    /// Printed name (may be empty: a blank line to write on).
    pub name: String,
    /// Second line under the name (e.g. "NIP 19800101 200501 1 001").
    pub detail: String,
}

/// A finished PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedDocument {
    /// The PDF file.
    pub pdf: Vec<u8>,
    /// Number of pages.
    pub pages: usize,
    /// Characters the font lacks that were transliterated or replaced.
    pub replaced: Vec<char>,
    /// Whether any table cell was too tall for a page and was cut.
    pub truncated: bool,
}

const CELL_PAD_MM: f32 = 1.6;
const HEADER_SPACE_MM: f32 = 9.0;
const FOOTER_SPACE_MM: f32 = 9.0;

/// Lays content out page by page, top to bottom.
pub struct Flow {
    fonts: Fonts,
    doc: PdfDocument,
    regular_id: FontId,
    bold_id: FontId,
    page: PageSize,
    running: Option<Running>,
    pages: Vec<Vec<Op>>,
    ops: Vec<Op>,
    y: f32,
    replaced: Vec<char>,
    truncated: bool,
}

impl std::fmt::Debug for Flow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Flow")
            .field("page", &self.page)
            .field("pages", &self.pages.len())
            .field("y", &self.y)
            .finish_non_exhaustive()
    }
}

impl Flow {
    /// Starts a document. With `running`, every page gets a header and a footer with page
    /// numbers; without, the whole page is content (tickets).
    pub fn new(fonts: &Fonts, title: &str, page: PageSize, running: Option<Running>) -> Self {
        let mut doc = PdfDocument::new(title);
        let regular_id = doc.add_font(fonts.regular.parsed());
        let bold_id = doc.add_font(fonts.bold.parsed());
        let mut flow = Flow {
            fonts: fonts.clone(),
            doc,
            regular_id,
            bold_id,
            page,
            running,
            pages: Vec::new(),
            ops: Vec::new(),
            y: 0.0,
            replaced: Vec::new(),
            truncated: false,
        };
        flow.y = flow.top();
        if let Some(running) = flow.running.take() {
            flow.running = Some(Running {
                header_left: flow.sanitize(&running.header_left, false),
                header_right: flow.sanitize(&running.header_right, false),
                footer_left: flow.sanitize(&running.footer_left, false),
            });
        }
        flow
    }

    fn page_height(&self) -> f32 {
        mm(self.page.height_mm)
    }

    /// Left edge of the content, in points.
    pub fn left(&self) -> f32 {
        mm(self.page.margin_mm)
    }

    /// Width of the content area, in points.
    pub fn content_width(&self) -> f32 {
        mm(self.page.width_mm - 2.0 * self.page.margin_mm)
    }

    fn top(&self) -> f32 {
        mm(self.page.margin_mm)
            + if self.running.is_some() {
                mm(HEADER_SPACE_MM)
            } else {
                0.0
            }
    }

    fn bottom(&self) -> f32 {
        self.page_height()
            - mm(self.page.margin_mm)
            - if self.running.is_some() {
                mm(FOOTER_SPACE_MM)
            } else {
                0.0
            }
    }

    /// Points left on this page.
    pub fn remaining(&self) -> f32 {
        (self.bottom() - self.y).max(0.0)
    }

    /// Ends the page and starts another.
    pub fn new_page(&mut self) {
        self.pages.push(std::mem::take(&mut self.ops));
        self.y = self.top();
    }

    /// Starts a new page unless `height` points still fit on this one; true if it broke.
    /// Content taller than a whole page is placed on a fresh page (and cut by the caller).
    pub fn ensure(&mut self, height: f32) -> bool {
        let at_top = (self.y - self.top()).abs() < 0.01;
        if self.y + height > self.bottom() && !at_top {
            self.new_page();
            true
        } else {
            false
        }
    }

    /// Makes `text` safe for the face: characters without a glyph are transliterated
    /// (`ŧ` → `t`) or become `?`, controls are dropped, tabs become spaces; each
    /// replaced character is reported in [`RenderedDocument::replaced`].
    pub fn sanitize(&mut self, text: &str, bold: bool) -> String {
        let face = self.fonts.face(bold).clone();
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            if c == '\n' {
                out.push('\n');
            } else if c == '\t' || (c.is_whitespace() && !face.has_glyph(c)) {
                out.push(' ');
            } else if c.is_control() {
                self.note_replaced(c);
            } else if face.has_glyph(c) {
                out.push(c);
            } else {
                self.note_replaced(c);
                match deunicode::deunicode_char(c) {
                    Some(t)
                        if !t.is_empty()
                            && t.chars().all(|t| face.has_glyph(t) && !t.is_control()) =>
                    {
                        out.push_str(t)
                    }
                    Some("") => {}
                    _ => out.push('?'),
                }
            }
        }
        out
    }

    fn note_replaced(&mut self, c: char) {
        if !self.replaced.contains(&c) {
            self.replaced.push(c);
        }
    }

    /// Breaks sanitised `text` into lines no wider than `width` points: at spaces, at
    /// explicit line breaks, and inside words longer than a line.
    pub fn wrap(&self, text: &str, style: &Style, width: f32) -> Vec<String> {
        wrap_with(self.fonts.face(style.bold), text, style.size, width)
    }

    /// Width of sanitised `text` in points.
    pub fn measure(&self, text: &str, style: &Style) -> f32 {
        self.fonts.face(style.bold).width(text, style.size)
    }

    fn font_handle(&self, bold: bool) -> PdfFontHandle {
        PdfFontHandle::External(if bold {
            self.bold_id.clone()
        } else {
            self.regular_id.clone()
        })
    }

    /// Draws one line of sanitised text with its box top at `top` in `[x, x + width]`.
    fn draw_line(&mut self, x: f32, width: f32, top: f32, text: &str, style: &Style) {
        if text.is_empty() {
            return;
        }
        let text_width = self.measure(text, style);
        let x = match style.align {
            Align::Left => x,
            Align::Center => x + (width - text_width) / 2.0,
            Align::Right => x + width - text_width,
        };
        let baseline = top + (style.line_height() - style.size) / 2.0 + style.size * 0.8;
        let pdf_y = self.page_height() - baseline;
        let font = self.font_handle(style.bold);
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFillColor {
                col: style.ink.color(),
            },
            Op::SetFont {
                font,
                size: Pt(style.size),
            },
            Op::SetTextCursor {
                pos: Point {
                    x: Pt(x),
                    y: Pt(pdf_y),
                },
            },
            Op::ShowText {
                items: vec![TextItem::Text(text.to_string())],
            },
            Op::EndTextSection,
        ]);
    }

    /// A wrapped paragraph across the content width, breaking pages between lines.
    pub fn paragraph(&mut self, text: &str, style: Style) {
        let clean = self.sanitize(text, style.bold);
        let (x, width) = (self.left(), self.content_width());
        for line in self.wrap(&clean, &style, width) {
            self.ensure(style.line_height());
            let top = self.y;
            self.draw_line(x, width, top, &line, &style);
            self.y += style.line_height();
        }
    }

    /// Vertical space.
    pub fn space(&mut self, mm_: f32) {
        self.y = (self.y + mm(mm_)).min(self.bottom());
    }

    /// A horizontal rule across the content width.
    pub fn rule(&mut self, thickness_pt: f32, ink: Ink) {
        let (x, w, y) = (self.left(), self.content_width(), self.y);
        self.stroke_line(x, y, x + w, y, thickness_pt, ink);
        self.y += thickness_pt + mm(1.0);
    }

    fn stroke_line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, thickness_pt: f32, ink: Ink) {
        let h = self.page_height();
        let point = |x: f32, y: f32| LinePoint {
            p: Point {
                x: Pt(x),
                y: Pt(h - y),
            },
            bezier: false,
        };
        self.ops.extend([
            Op::SetOutlineColor { col: ink.color() },
            Op::SetOutlineThickness {
                pt: Pt(thickness_pt),
            },
            Op::DrawLine {
                line: Line {
                    points: vec![point(x1, y1), point(x2, y2)],
                    is_closed: false,
                },
            },
        ]);
    }

    fn rect(
        &mut self,
        x: f32,
        top: f32,
        width: f32,
        height: f32,
        fill: Option<Ink>,
        stroke: Option<(Ink, f32)>,
    ) {
        let y = self.page_height() - top - height;
        let mode = match (fill, stroke) {
            (Some(_), Some(_)) => PaintMode::FillStroke,
            (Some(_), None) => PaintMode::Fill,
            (None, _) => PaintMode::Stroke,
        };
        if let Some(fill) = fill {
            self.ops.push(Op::SetFillColor { col: fill.color() });
        }
        if let Some((ink, thickness)) = stroke {
            self.ops.push(Op::SetOutlineColor { col: ink.color() });
            self.ops.push(Op::SetOutlineThickness { pt: Pt(thickness) });
        }
        self.ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(x),
                y: Pt(y),
                width: Pt(width),
                height: Pt(height),
                mode: Some(mode),
                winding_order: Some(WindingOrder::NonZero),
            },
        });
    }

    /// A numbered heading with space above, kept with what follows.
    pub fn heading(&mut self, text: &str) {
        let style = Style::HEADING;
        self.space(2.5);
        self.ensure(style.line_height() + mm(20.0));
        self.paragraph(text, style);
        self.space(0.8);
    }

    /// A section band: navy bar with white bold text (form sections "A. IDENTITAS").
    pub fn section(&mut self, title: &str) {
        self.space(1.5);
        let style = Style::BODY.bold(true).ink(Ink::White).sized(10.0);
        let clean = self.sanitize(title, true);
        let lines = self.wrap(&clean, &style, self.content_width() - mm(4.0));
        let height = lines.len() as f32 * style.line_height() + mm(2.0);
        // Keep the band with at least two lines of what follows.
        self.ensure(height + mm(12.0));
        let (x, w, top) = (self.left(), self.content_width(), self.y);
        self.rect(x, top, w, height, Some(Ink::Navy), None);
        let mut y = top + mm(1.0);
        for line in lines {
            self.draw_line(x + mm(2.0), w - mm(4.0), y, &line, &style);
            y += style.line_height();
        }
        self.y = top + height + mm(2.0);
    }

    /// Label/value rows like an official form: "Nama lengkap : SITI NURHALIZA", the value
    /// wrapped in its column and underlined with a dotted writing line. Empty values
    /// show as a blank line to fill in by hand.
    pub fn fields(&mut self, rows: &[(&str, &str)], label_fraction: f32) {
        let label_style = Style::BODY.sized(9.5);
        let value_style = Style::BODY.sized(10.0).bold(true);
        let width = self.content_width();
        let label_w = width * label_fraction.clamp(0.15, 0.6);
        let colon_w = mm(4.0);
        let value_w = width - label_w - colon_w;
        for (label, value) in rows {
            let label = self.sanitize(label, false);
            let value = self.sanitize(value, true);
            let label_lines = self.wrap(&label, &label_style, label_w - mm(1.0));
            let value_lines = self.wrap(&value, &value_style, value_w);
            let lh = value_style.line_height();
            let n = label_lines.len().max(value_lines.len()).max(1);
            let height = n as f32 * lh + mm(1.2);
            self.ensure(height.min(self.bottom() - self.top()));
            let x = self.left();
            let mut top = self.y;
            for i in 0..n {
                if top + lh > self.bottom() {
                    self.new_page();
                    top = self.y;
                }
                if let Some(line) = label_lines.get(i) {
                    self.draw_line(
                        x,
                        label_w,
                        top,
                        line,
                        &label_style.sized(9.5).ink(Ink::Black),
                    );
                }
                if i == 0 {
                    self.draw_line(x + label_w, colon_w, top, ":", &label_style);
                }
                if let Some(line) = value_lines.get(i) {
                    self.draw_line(x + label_w + colon_w, value_w, top, line, &value_style);
                }
                let underline = top + lh - 0.5;
                self.dotted(x + label_w + colon_w, underline, x + width, underline);
                top += lh;
            }
            self.y = top + mm(1.2);
        }
    }

    fn dotted(&mut self, x1: f32, y1: f32, x2: f32, y2: f32) {
        self.ops.push(Op::SaveGraphicsState);
        self.ops.push(Op::SetLineDashPattern {
            dash: printpdf::LineDashPattern::new(0.0, &[1.0, 2.0]),
        });
        self.stroke_line(x1, y1, x2, y2, 0.4, Ink::Grey);
        self.ops.push(Op::RestoreGraphicsState);
    }

    /// A table with borders. The header row repeats at the top of every page the table
    /// runs onto; a row never splits across pages (a row taller than a page is cut and
    /// reported in [`RenderedDocument::truncated`]).
    pub fn table(&mut self, table: &Table) {
        if table.columns.is_empty() {
            return;
        }
        let size = if table.size > 0.0 { table.size } else { 9.0 };
        let total_weight: f32 = table.columns.iter().map(|c| c.weight.max(0.01)).sum();
        let widths: Vec<f32> = table
            .columns
            .iter()
            .map(|c| self.content_width() * c.weight.max(0.01) / total_weight)
            .collect();
        let header: Vec<String> = table.columns.iter().map(|c| c.title.clone()).collect();
        let header_style = Style::BODY.sized(size).bold(true);
        let body_style = Style::BODY.sized(size);
        let min_row = mm(table.min_row_mm.max(0.0));
        let header_height = self.row_height(&header, &widths, &header_style, 0.0);
        let draw_header = |flow: &mut Flow| {
            let aligns: Vec<Align> = table.columns.iter().map(|_| Align::Center).collect();
            flow.draw_row(
                &header,
                &widths,
                &aligns,
                &header_style,
                Some(Ink::Shade),
                0.0,
            );
        };
        let first_row = self.row_height(
            table.rows.first().unwrap_or(&header),
            &widths,
            &body_style,
            min_row,
        );
        self.ensure(header_height + first_row);
        draw_header(self);
        let aligns: Vec<Align> = table.columns.iter().map(|c| c.align).collect();
        let body = table
            .rows
            .iter()
            .map(|r| (r, body_style))
            .chain(table.total.iter().map(|r| (r, body_style.bold(true))));
        for (row, style) in body {
            let height = self.row_height(row, &widths, &style, min_row);
            if self.ensure(height) {
                draw_header(self);
            }
            let fill = if style.bold { Some(Ink::Shade) } else { None };
            self.draw_row(row, &widths, &aligns, &style, fill, min_row);
        }
        self.y += mm(2.0);
    }

    fn cell_lines(&mut self, row: &[String], widths: &[f32], style: &Style) -> Vec<Vec<String>> {
        widths
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let text = row.get(i).map(String::as_str).unwrap_or("");
                let clean = self.sanitize(text, style.bold);
                self.wrap(&clean, style, w - 2.0 * mm(CELL_PAD_MM))
            })
            .collect()
    }

    fn row_height(&mut self, row: &[String], widths: &[f32], style: &Style, min_row: f32) -> f32 {
        let lines = self
            .cell_lines(row, widths, style)
            .iter()
            .map(Vec::len)
            .max()
            .unwrap_or(1)
            .max(1);
        (lines as f32 * style.line_height() + 2.0 * mm(CELL_PAD_MM)).max(min_row)
    }

    fn draw_row(
        &mut self,
        row: &[String],
        widths: &[f32],
        aligns: &[Align],
        style: &Style,
        fill: Option<Ink>,
        min_row: f32,
    ) {
        let mut cells = self.cell_lines(row, widths, style);
        let page_room = self.bottom() - self.top();
        let pad = mm(CELL_PAD_MM);
        let max_lines = (((page_room - 2.0 * pad) / style.line_height()).floor() as usize).max(1);
        for lines in &mut cells {
            if lines.len() > max_lines {
                lines.truncate(max_lines);
                if let Some(last) = lines.last_mut() {
                    last.push('…');
                }
                self.truncated = true;
            }
        }
        let n = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let height = (n as f32 * style.line_height() + 2.0 * pad)
            .max(min_row)
            .min(page_room);
        let mut x = self.left();
        let top = self.y;
        for (i, width) in widths.iter().enumerate() {
            self.rect(x, top, *width, height, fill, Some((Ink::Grey, 0.5)));
            let align = aligns.get(i).copied().unwrap_or_default();
            let mut line_top = top + pad;
            for line in cells.get(i).map(Vec::as_slice).unwrap_or_default() {
                self.draw_line(
                    x + pad,
                    width - 2.0 * pad,
                    line_top,
                    line,
                    &style.aligned(align),
                );
                line_top += style.line_height();
            }
            x += width;
        }
        self.y = top + height;
    }

    /// Signature boxes side by side, kept together on one page.
    pub fn signatures(&mut self, place_date: &str, boxes: &[SignatureBox]) {
        if boxes.is_empty() {
            return;
        }
        let height = mm(40.0);
        self.ensure(height + mm(8.0));
        if !place_date.is_empty() {
            self.paragraph(place_date, Style::BODY.aligned(Align::Right));
            self.space(1.0);
        }
        let gap = mm(5.0);
        let n = boxes.len() as f32;
        let box_w = (self.content_width() - gap * (n - 1.0)) / n;
        let top = self.y;
        let role_style = Style::BODY.sized(9.0).bold(true).aligned(Align::Center);
        let name_style = Style::BODY.sized(9.0).aligned(Align::Center);
        let detail_style = Style::LABEL.aligned(Align::Center);
        for (i, b) in boxes.iter().enumerate() {
            let x = self.left() + i as f32 * (box_w + gap);
            self.rect(x, top, box_w, height, None, Some((Ink::Grey, 0.6)));
            let role = self.sanitize(&b.role, true);
            let mut y = top + mm(2.0);
            for line in self
                .wrap(&role, &role_style, box_w - mm(4.0))
                .into_iter()
                .take(2)
            {
                self.draw_line(x + mm(2.0), box_w - mm(4.0), y, &line, &role_style);
                y += role_style.line_height();
            }
            let line_y = top + height - mm(11.0);
            self.stroke_line(
                x + mm(5.0),
                line_y,
                x + box_w - mm(5.0),
                line_y,
                0.6,
                Ink::Black,
            );
            let name = self.sanitize(&b.name, false);
            let name = if name.trim().is_empty() {
                String::new()
            } else {
                format!("( {} )", name.trim())
            };
            let name_lines = self.wrap(&name, &name_style, box_w - mm(4.0));
            if let Some(line) = name_lines.first() {
                self.draw_line(
                    x + mm(2.0),
                    box_w - mm(4.0),
                    line_y + mm(0.8),
                    line,
                    &name_style,
                );
            }
            let detail = self.sanitize(&b.detail, false);
            if let Some(line) = self.wrap(&detail, &detail_style, box_w - mm(4.0)).first() {
                self.draw_line(
                    x + mm(2.0),
                    box_w - mm(4.0),
                    line_y + mm(5.2),
                    line,
                    &detail_style,
                );
            }
        }
        self.y = top + height + mm(3.0);
    }

    /// A QR code of `data`, `size_mm` wide (quiet zone included), aligned in the content.
    pub fn qr(&mut self, data: &[u8], size_mm: f32, align: Align) -> Result<(), DocumentError> {
        let code =
            qrcode::QrCode::with_error_correction_level(data, qrcode::EcLevel::M).map_err(|e| {
                DocumentError::QrData {
                    message: e.to_string(),
                }
            })?;
        let modules = code.width();
        let colors = code.to_colors();
        let quiet = 4usize;
        let size = mm(size_mm);
        let module = size / (modules + 2 * quiet) as f32;
        self.ensure(size);
        let x0 = match align {
            Align::Left => self.left(),
            Align::Center => self.left() + (self.content_width() - size) / 2.0,
            Align::Right => self.left() + self.content_width() - size,
        };
        let top = self.y;
        self.ops.push(Op::SetFillColor {
            col: Ink::Black.color(),
        });
        for row in 0..modules {
            let mut col = 0;
            while col < modules {
                let dark = |c: usize| colors.get(row * modules + c) == Some(&qrcode::Color::Dark);
                if !dark(col) {
                    col += 1;
                    continue;
                }
                let start = col;
                while col < modules && dark(col) {
                    col += 1;
                }
                let x = x0 + (quiet + start) as f32 * module;
                let y = top + (quiet + row) as f32 * module;
                self.rect(
                    x,
                    y,
                    (col - start) as f32 * module,
                    module,
                    Some(Ink::Black),
                    None,
                );
            }
        }
        self.y = top + size;
        Ok(())
    }

    /// A framed box around text drawn by `body`, keeping it on one page when it fits:
    /// used for the ticket number and the outcome of a BAP.
    pub fn framed(&mut self, height_mm: f32, fill: Option<Ink>, body: impl FnOnce(&mut Flow)) {
        let height = mm(height_mm);
        self.ensure(height);
        let (x, w, top) = (self.left(), self.content_width(), self.y);
        self.rect(x, top, w, height, fill, Some((Ink::Navy, 1.2)));
        self.y = top + mm(2.0);
        body(self);
        self.y = top + height + mm(2.0);
    }

    /// Key figures as a row of framed cards: the value large, its label small under it.
    pub fn cards(&mut self, cards: &[(&str, &str)]) {
        if cards.is_empty() {
            return;
        }
        let height = mm(19.0);
        self.ensure(height);
        let gap = mm(3.0);
        let n = cards.len() as f32;
        let card_w = (self.content_width() - gap * (n - 1.0)) / n;
        let top = self.y;
        let value_style = Style::BODY
            .sized(17.0)
            .bold(true)
            .ink(Ink::Navy)
            .aligned(Align::Center);
        let label_style = Style::LABEL.aligned(Align::Center);
        for (i, (label, value)) in cards.iter().enumerate() {
            let x = self.left() + i as f32 * (card_w + gap);
            self.rect(x, top, card_w, height, Some(Ink::Shade), None);
            let value = self.sanitize(value, true);
            let value = fit_line(
                self.fonts.face(true),
                &value,
                value_style.size,
                card_w - mm(2.0),
            );
            self.draw_line(
                x + mm(1.0),
                card_w - mm(2.0),
                top + mm(2.0),
                &value,
                &value_style,
            );
            let label = self.sanitize(label, false);
            let mut y = top + mm(10.5);
            for line in self
                .wrap(&label, &label_style, card_w - mm(2.0))
                .into_iter()
                .take(2)
            {
                self.draw_line(x + mm(1.0), card_w - mm(2.0), y, &line, &label_style);
                y += label_style.line_height();
            }
        }
        self.y = top + height + mm(3.0);
    }

    /// A horizontal bar chart: label, bar proportional to the largest value, the value.
    pub fn bars(&mut self, rows: &[(String, f64)], value_text: impl Fn(f64) -> String) {
        let style = Style::BODY.sized(8.5);
        let bar_h = style.line_height();
        let max = rows
            .iter()
            .map(|(_, v)| *v)
            .filter(|v| v.is_finite())
            .fold(0.0_f64, f64::max);
        let widest = rows
            .iter()
            .map(|(l, _)| self.fonts.regular.width(l, style.size))
            .fold(0.0_f32, f32::max);
        let label_w = (widest + mm(2.0)).clamp(mm(15.0), self.content_width() * 0.4);
        let value_w = mm(18.0);
        // Keep a chart on one page when it fits on one.
        let total = rows.len() as f32 * (bar_h + mm(0.8));
        if total <= self.bottom() - self.top() {
            self.ensure(total);
        }
        let track = self.content_width() - label_w - value_w - mm(2.0);
        for (label, value) in rows {
            self.ensure(bar_h + mm(0.8));
            let top = self.y;
            let x = self.left();
            let label = self.sanitize(label, false);
            let label = fit_line(
                self.fonts.face(false),
                &label,
                style.size,
                label_w - mm(1.0),
            );
            self.draw_line(x, label_w - mm(1.0), top, &label, &style);
            let fraction = if max > 0.0 && value.is_finite() {
                (value / max).clamp(0.0, 1.0) as f32
            } else {
                0.0
            };
            self.rect(
                x + label_w,
                top + mm(0.6),
                track,
                bar_h - mm(1.2),
                Some(Ink::Shade),
                None,
            );
            if fraction > 0.0 {
                self.rect(
                    x + label_w,
                    top + mm(0.6),
                    track * fraction,
                    bar_h - mm(1.2),
                    Some(Ink::Navy),
                    None,
                );
            }
            let text = self.sanitize(&value_text(*value), false);
            self.draw_line(
                x + label_w + track + mm(2.0),
                value_w,
                top,
                &text,
                &style.aligned(Align::Right),
            );
            self.y = top + bar_h + mm(0.8);
        }
        self.y += mm(2.0);
    }

    /// Finishes the document: running header and footer ("Halaman i dari n") on every page.
    pub fn finish(mut self) -> Result<RenderedDocument, DocumentError> {
        if !self.ops.is_empty() || self.pages.is_empty() {
            self.pages.push(std::mem::take(&mut self.ops));
        }
        let count = self.pages.len();
        let pages = std::mem::take(&mut self.pages);
        let mut pdf_pages = Vec::with_capacity(count);
        for (index, ops) in pages.into_iter().enumerate() {
            self.ops = ops;
            if let Some(running) = self.running.clone() {
                self.draw_running(&running, index + 1, count);
            }
            let ops = std::mem::take(&mut self.ops);
            pdf_pages.push(PdfPage::new(
                Mm(self.page.width_mm),
                Mm(self.page.height_mm),
                ops,
            ));
        }
        let mut warnings = Vec::new();
        let pdf = self
            .doc
            .with_pages(pdf_pages)
            .save(&PdfSaveOptions::default(), &mut warnings);
        if !pdf.starts_with(b"%PDF") {
            let message = warnings
                .iter()
                .map(|w| w.msg.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            return Err(DocumentError::Pdf { message });
        }
        Ok(RenderedDocument {
            pdf,
            pages: count,
            replaced: self.replaced,
            truncated: self.truncated,
        })
    }

    fn draw_running(&mut self, running: &Running, page: usize, count: usize) {
        let style = Style::LABEL;
        let (x, w) = (self.left(), self.content_width());
        let top = mm(self.page.margin_mm);
        let half = w / 2.0 - mm(2.0);
        let fit =
            |flow: &Flow, text: &str| fit_line(flow.fonts.face(false), text, style.size, half);
        let left = fit(self, &running.header_left);
        let right = fit(self, &running.header_right);
        self.draw_line(x, half, top, &left, &style);
        self.draw_line(
            x + w - half,
            half,
            top,
            &right,
            &style.aligned(Align::Right),
        );
        let rule_y = top + style.line_height() + mm(1.0);
        self.stroke_line(x, rule_y, x + w, rule_y, 0.5, Ink::Grey);
        let bottom = self.page_height() - mm(self.page.margin_mm) - style.line_height();
        self.stroke_line(x, bottom - mm(1.5), x + w, bottom - mm(1.5), 0.5, Ink::Grey);
        let footer = fit_line(
            self.fonts.face(false),
            &running.footer_left,
            style.size,
            w * 0.72,
        );
        self.draw_line(x, w * 0.72, bottom, &footer, &style);
        self.draw_line(
            x + w * 0.72,
            w * 0.28,
            bottom,
            &format!("Halaman {page} dari {count}"),
            &style.aligned(Align::Right),
        );
    }
}

/// The first line of `text` cut to `width` with an ellipsis when it does not fit.
fn fit_line(face: &Face, text: &str, size: f32, width: f32) -> String {
    let first = text.lines().next().unwrap_or("");
    if face.width(first, size) <= width {
        return first.to_string();
    }
    let mut out = String::new();
    for c in first.chars() {
        out.push(c);
        if face.width(&out, size) + face.width("…", size) > width {
            out.pop();
            break;
        }
    }
    out.push('…');
    out
}

/// Wraps `text` for `face` at `size` into lines at most `width` points wide (a single
/// character wider than the line still gets a line of its own).
pub fn wrap_with(face: &Face, text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut current = String::new();
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            let candidate = if current.is_empty() {
                word.to_string()
            } else {
                format!("{current} {word}")
            };
            if face.width(&candidate, size) <= width {
                current = candidate;
                continue;
            }
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            if face.width(word, size) <= width {
                current = word.to_string();
                continue;
            }
            // A word longer than the line: cut it between characters.
            for c in word.chars() {
                current.push(c);
                if face.width(&current, size) > width && current.chars().count() > 1 {
                    current.pop();
                    lines.push(std::mem::take(&mut current));
                    current.push(c);
                }
            }
        }
        if !current.is_empty() {
            lines.push(current);
        }
    }
    lines
}
