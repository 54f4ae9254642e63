// The seat map of one event, drawn from GET /api/v1/events/:id/seats: a block per section
// (its name and price tier), a line per row, a button per seat coloured by its live status.
// The visitor's selection survives redraws; a selected seat that turns taken is dropped.

import { money, t } from "./i18n.js";
import { el } from "./ui.js";

export class SeatMap {
  constructor(root, onChange) {
    this.root = root;
    this.onChange = onChange;
    this.selected = new Set();
    this.map = null;
  }

  /// Draws `map` (the route's answer), keeping the selection of seats still available.
  draw(map) {
    this.map = map;
    const free = new Set();
    this.root.replaceChildren();
    for (const section of map.sections) {
      const block = el("section", "section");
      block.dataset.section = section.section;
      block.append(el("h3", "", `${section.name} · ${money(section.price, map.currency)}`));
      for (const row of section.rows) {
        const line = el("div", "row");
        line.append(el("span", "row-label", t("map.row", { n: row.row })));
        for (const seat of row.seats) {
          const b = el("button", "seat " + seat.status, String(seat.number));
          b.type = "button";
          b.dataset.seat = seat.seat_id;
          b.dataset.status = seat.status;
          b.title = seat.seat_id;
          if (seat.status === "available") {
            free.add(seat.seat_id);
            b.addEventListener("click", () => this.toggle(seat.seat_id));
          } else {
            b.disabled = true;
          }
          line.append(b);
        }
        block.append(line);
      }
      this.root.append(block);
    }
    for (const id of [...this.selected]) if (!free.has(id)) this.selected.delete(id);
    this.paintSelection();
  }

  toggle(id) {
    if (this.selected.has(id)) this.selected.delete(id);
    else this.selected.add(id);
    this.paintSelection();
  }

  /// Selects the first `n` adjacent available seats, best price tier first; false when none.
  best(n) {
    const sections = [...this.map.sections].sort((a, b) => b.price - a.price);
    for (const section of sections) {
      for (const row of section.rows) {
        let run = [];
        for (const seat of row.seats) {
          const next = run.length && Number(seat.number) === Number(run[run.length - 1].number) + 1;
          if (seat.status !== "available") run = [];
          else run = next ? [...run, seat] : [seat];
          if (run.length === n) {
            this.selected = new Set(run.map((s) => s.seat_id));
            this.paintSelection();
            return true;
          }
        }
      }
    }
    return false;
  }

  /// The selected seats with their prices.
  selection() {
    const out = [];
    for (const section of this.map?.sections || [])
      for (const row of section.rows)
        for (const seat of row.seats)
          if (this.selected.has(seat.seat_id)) out.push({ ...seat, price: section.price });
    return out;
  }

  paintSelection() {
    for (const b of this.root.querySelectorAll(".seat"))
      b.classList.toggle("selected", this.selected.has(b.dataset.seat));
    this.onChange(this.selection());
  }
}
