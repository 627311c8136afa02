//! The Traffic Logs page's pieces: the URL view ([`view`]), the filter bar, the table, a row's
//! detail dialog, the stat cards, the SVG charts and the admins' security panel.

mod cards;
mod charts;
mod detail;
mod filters;
mod security;
mod table;
mod text;
pub mod view;

pub use cards::stat_cards;
pub use charts::{bar_list, per_minute_chart, status_mix, BarRow};
pub use detail::RowDetail;
pub use filters::FilterBar;
pub use security::SecurityPanel;
pub use table::{traffic_table, Names};
pub use text::{count, latency};
