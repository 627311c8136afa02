//! Smart-order math (§5.3): what single order brings the net position to a target.

use crate::types::num::round_qty;
use crate::types::Action;

/// What a smart order should do.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SmartDecision {
    /// Place this order.
    Place {
        /// Side.
        action: Action,
        /// Quantity (> 0).
        quantity: f64,
    },
    /// Target equals the current position: "Positions Already Matched. No Action needed."
    AlreadyMatched,
    /// Target and position are 0 and the request's quantity is 0: "No OpenPosition Found. Not
    /// placing Exit order."
    NothingToDo,
}

/// Target `target` (position_size), current net `current`; `action` and `quantity` are the
/// request's, used only when both are 0.
pub fn smart_order(target: f64, current: f64, action: Action, quantity: f64) -> SmartDecision {
    let (target, current) = (round_qty(target), round_qty(current));
    if target == 0.0 && current == 0.0 {
        return if quantity > 0.0 {
            SmartDecision::Place { action, quantity }
        } else {
            SmartDecision::NothingToDo
        };
    }
    if target == current {
        return SmartDecision::AlreadyMatched;
    }
    let delta = round_qty(target - current);
    SmartDecision::Place {
        action: if delta > 0.0 {
            Action::Buy
        } else {
            Action::Sell
        },
        quantity: delta.abs(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::{Buy, Sell};

    fn place(action: Action, quantity: f64) -> SmartDecision {
        SmartDecision::Place { action, quantity }
    }

    #[test]
    fn smart_orders_follow_the_contracts_table() {
        // T == C == 0: the request as given, or nothing for quantity 0.
        assert_eq!(smart_order(0.0, 0.0, Sell, 5.0), place(Sell, 5.0));
        assert_eq!(smart_order(0.0, 0.0, Buy, 0.0), SmartDecision::NothingToDo);
        // T == C otherwise.
        assert_eq!(
            smart_order(10.0, 10.0, Buy, 1.0),
            SmartDecision::AlreadyMatched
        );
        assert_eq!(
            smart_order(-3.0, -3.0, Buy, 1.0),
            SmartDecision::AlreadyMatched
        );
        // Exit to flat, whatever the request's action.
        assert_eq!(smart_order(0.0, 7.0, Buy, 1.0), place(Sell, 7.0));
        assert_eq!(smart_order(0.0, -7.0, Sell, 1.0), place(Buy, 7.0));
        // From flat.
        assert_eq!(smart_order(5.0, 0.0, Sell, 1.0), place(Buy, 5.0));
        assert_eq!(smart_order(-5.0, 0.0, Buy, 1.0), place(Sell, 5.0));
        // Adjust, including flipping sides.
        assert_eq!(smart_order(10.0, 4.0, Sell, 1.0), place(Buy, 6.0));
        assert_eq!(smart_order(4.0, 10.0, Buy, 1.0), place(Sell, 6.0));
        assert_eq!(smart_order(-5.0, 5.0, Buy, 1.0), place(Sell, 10.0));
        // Fractional crypto targets.
        assert_eq!(smart_order(0.3, 0.1, Buy, 0.0), place(Buy, 0.2));
    }
}
