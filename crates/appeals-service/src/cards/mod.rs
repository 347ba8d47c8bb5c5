//! Cards (ОЛ-1 with its З-1 and ОЛ-2): the one write path.

pub mod counts;
pub mod outbox;
pub mod parts;
pub mod read;
pub mod search_index;
pub mod write;
