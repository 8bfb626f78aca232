//! Styles. With `NO_COLOR` no colour is used at all, but bold, reverse and underline stay, so the
//! selection, the active tab and errors remain visible on a monochrome terminal.
use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colours unless `NO_COLOR` is set to a non-empty value (<https://no-color.org>).
    pub fn from_env() -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme { color: !no_color }
    }

    pub fn monochrome() -> Theme {
        Theme { color: false }
    }

    pub fn colored() -> Theme {
        Theme { color: true }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn base(&self) -> Style {
        Style::new()
    }

    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn header(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn tab(&self) -> Style {
        self.dim()
    }

    pub fn tab_active(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    /// Failed API calls: red, or bold without colour.
    pub fn error(&self) -> Style {
        if self.color {
            Style::new().fg(Color::Red)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    pub fn warning(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// An event's risk level in the timeline: colour only (nothing without colour, so errors
    /// keep their bold there).
    pub fn risk(&self, level: crate::analysis::Level) -> Style {
        use crate::analysis::Level;
        match level {
            Level::Critical => self.fg(Color::LightRed).add_modifier(Modifier::BOLD),
            Level::High => self.fg(Color::LightRed),
            Level::Medium => self.fg(Color::Yellow),
            Level::Low => Style::new(),
        }
    }

    pub fn ok(&self) -> Style {
        self.fg(Color::Green)
    }

    pub fn mark(&self) -> Style {
        self.fg(Color::Magenta).add_modifier(Modifier::BOLD)
    }

    pub fn key(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn status(&self) -> Style {
        if self.color {
            Style::new().bg(Color::DarkGray).fg(Color::White)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    pub fn bar(&self) -> Style {
        self.fg(Color::Blue)
    }

    /// A search match in the timeline: black on yellow, or underlined bold without colour.
    pub fn search_match(&self) -> Style {
        if self.color {
            Style::new().bg(Color::Yellow).fg(Color::Black)
        } else {
            Style::new().add_modifier(Modifier::UNDERLINED | Modifier::BOLD)
        }
    }

    /// The timeline's column cursor (the header of the column `F` counts).
    pub fn column_cursor(&self) -> Style {
        self.header().add_modifier(Modifier::UNDERLINED)
    }

    /// Chart colours by risk level, so a bar reads the same as the timeline's rows; without
    /// colour every bar is plain (the labels carry the level).
    pub fn level_bar(&self, level: crate::analysis::Level) -> Style {
        use crate::analysis::Level;
        match level {
            Level::Critical => self.fg(Color::LightRed),
            Level::High => self.fg(Color::Red),
            Level::Medium => self.fg(Color::Yellow),
            Level::Low => self.fg(Color::Blue),
        }
    }

    pub fn cursor_marker(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn json_key(&self) -> Style {
        self.fg(Color::Cyan)
    }

    pub fn json_string(&self) -> Style {
        self.fg(Color::Green)
    }

    pub fn json_number(&self) -> Style {
        self.fg(Color::Magenta)
    }

    pub fn json_literal(&self) -> Style {
        self.fg(Color::Yellow)
    }

    pub fn json_punct(&self) -> Style {
        self.dim()
    }
}
