//! Watching a trial step by step: [`Observer`] is told what each step of MODEL.md's trial ("A
//! trial") did, in the order the steps run, as plain values and slices. The model calls it from
//! inside [`Model::run_trial_observed`]; a plain run passes [`NoObserver`], whose empty methods
//! compile away, so the trial a run plays is the same code as before observers existed.
//!
//! An observer only sees values: it cannot draw or change anything, so an observed trial draws
//! exactly what the plain trial draws and ends in the same [`Outcome`](super::Outcome).
//! `allocsim trace` tells one trial round by round from these calls; `allocsim tail` tallies
//! the inputs of the worst trials from them.
//!
//! [`Model::run_trial_observed`]: super::Model::run_trial_observed

use crate::units::Units;

/// What a trial tells a watcher, one method per step of MODEL.md's trial. Every method has an
/// empty default body, so an observer implements only the steps it needs. Rounds are numbered
/// from 1; firms, events and regimes by their listed position in the scenario.
///
/// Per round the calls come in this order: [`round`](Observer::round), then
/// [`regime`](Observer::regime) (with regimes), [`event`](Observer::event) for each event that
/// fired, and then one of three endings:
/// - the round is halted ([`halted`](Observer::halted)) or held ([`held`](Observer::held)), and
///   nothing more happens in it;
/// - [`approval`](Observer::approval), [`supply`](Observer::supply) and
///   [`claims`](Observer::claims), and when there is nothing to split (no supply or no claims)
///   nothing more;
/// - otherwise also [`awards`](Observer::awards), [`conversion`](Observer::conversion) for each
///   firm awarded something, [`domestic`](Observer::domestic), and
///   [`delivery`](Observer::delivery) for each firm;
///
/// and last [`round_end`](Observer::round_end), in every round.
#[allow(unused_variables)]
pub trait Observer {
    /// The trial's state before round 1: each firm's `orders` and `entry` round (1..=R + 1,
    /// R + 1 never eligible), and the trial's domestic ratio `rho`.
    #[inline(always)]
    fn start(&mut self, orders: &[Units], entry: &[u32], rho: f64) {}

    /// Round `round` begins, with `pool` approved units carried over from the last round.
    #[inline(always)]
    fn round(&mut self, round: u32, pool: Units) {}

    /// The round's regime, an index into `Scenario::regimes.list` (only with regimes).
    #[inline(always)]
    fn regime(&mut self, round: u32, regime: usize) {}

    /// Event `event` (an index into `Scenario::events`) fired in the round. Once a halt has
    /// fired, no event is drawn any more (nothing it did could matter).
    #[inline(always)]
    fn event(&mut self, round: u32, event: usize) {}

    /// The round is halted (a halt fired in it or before): no supply, and the carried pool is
    /// lost.
    #[inline(always)]
    fn halted(&mut self, round: u32) {}

    /// The round is a customs hold (an event or the regime): nothing approved or delivered,
    /// and the `pool` waits whole for the next round.
    #[inline(always)]
    fn held(&mut self, round: u32, pool: Units) {}

    /// Step 2: the round's approval `probability` (after the regime's factor), whether it was
    /// `approved`, and its `batch` (0 when not approved).
    #[inline(always)]
    fn approval(&mut self, round: u32, probability: f64, approved: bool, batch: Units) {}

    /// Step 3: `supply = batch + pool`.
    #[inline(always)]
    fn supply(&mut self, round: u32, batch: Units, pool: Units, supply: Units) {}

    /// Step 4: each firm's claim (0 before its entry round; capped at its round cap).
    #[inline(always)]
    fn claims(&mut self, round: u32, claims: &[Units]) {}

    /// Step 5: each firm's award under the allocation rule.
    #[inline(always)]
    fn awards(&mut self, round: u32, awards: &[Units]) {}

    /// Step 6, for a firm awarded something: its conversion `rate` (after the regime's factor)
    /// and the units it takes up, `taken = floor(rate × award)`.
    #[inline(always)]
    fn conversion(&mut self, round: u32, firm: usize, rate: f64, taken: Units) {}

    /// Step 7: the round's domestic ratio `rho`, each firm's domestic chips `wanted`
    /// (`ceil(rho × taken)`; empty when `rho` is 0 and nothing is wanted), the domestic supply
    /// `available` when it was drawn (None when no supply the distribution can produce would
    /// fall short, so no draw was made), and whether it fell `short` of what was wanted.
    #[inline(always)]
    fn domestic(
        &mut self,
        round: u32,
        rho: f64,
        wanted: &[Units],
        available: Option<Units>,
        short: bool,
    ) {
    }

    /// Step 8 for one firm: the domestic chips it `bought` and the imports it `kept`.
    #[inline(always)]
    fn delivery(&mut self, round: u32, firm: usize, bought: Units, kept: Units) {}

    /// The round is over: `delivered_total` to all firms so far, and `pool` carried into the
    /// next round.
    #[inline(always)]
    fn round_end(&mut self, round: u32, delivered_total: Units, pool: Units) {}
}

/// The observer of a plain run: it watches nothing, and as it has no state and every method is
/// empty, a trial played with it compiles to the trial without observer calls.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoObserver;

impl Observer for NoObserver {}

#[cfg(test)]
mod tests;
