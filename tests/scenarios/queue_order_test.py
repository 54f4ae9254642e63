"""The admission-order invariant (scenarios/runner/queue_order.py) on hand-made observation logs:
it must accept what a FIFO room can produce, including overlapping calls whose order the client
cannot tell, and catch both ways a room can break the order (its negative controls: no node can
be told to admit out of order, so the detector is proven here and run for real by every load
phase that joins)."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scenarios", "runner"))

from queue_order import QueueObservation, admission_order_problems  # noqa: E402


def user(name, join_sent, join_acked, waits=(), ready=None):
    """`waits`: (sent, position) of each poll that found it waiting; `ready`: when the first
    call that found it ready returned."""
    o = QueueObservation(name, join_sent, join_acked)
    for sent, position in waits:
        o.waiting(sent, position)
    if ready is not None:
        o.ready(ready)
    return o


class AdmissionOrder(unittest.TestCase):
    def test_a_fifo_room_passes(self):
        log = [user("ann", 0.0, 0.1, waits=[(0.1, 1), (0.5, 1)], ready=1.1),
               user("bob", 0.2, 0.3, waits=[(0.3, 2), (1.0, 1)], ready=2.1),
               user("cat", 0.4, 0.5, waits=[(0.5, 3), (1.2, 2), (2.0, 1)], ready=3.1)]
        self.assertEqual(admission_order_problems(log, "e"), [])

    def test_overlapping_joins_have_no_order_to_break(self):
        # bob's join was sent before ann's was answered: either may be first in line.
        log = [user("ann", 0.0, 0.3, waits=[(2.0, 1)], ready=3.0),
               user("bob", 0.1, 0.2, ready=1.0)]
        self.assertEqual(admission_order_problems(log, "e"), [])

    def test_a_poll_sent_before_the_admission_was_answered_proves_nothing(self):
        log = [user("ann", 0.0, 0.1, waits=[(0.9, 1)], ready=1.5),
               user("bob", 0.2, 0.3, ready=1.0)]
        self.assertEqual(admission_order_problems(log, "e"), [])

    def test_negative_control_a_later_joiner_admitted_first_is_caught(self):
        log = [user("ann", 0.0, 0.1, waits=[(0.1, 1), (1.5, 1)], ready=2.5),
               user("bob", 0.2, 0.3, waits=[(0.3, 2)], ready=1.0),
               user("cat", 0.4, 0.5, waits=[(0.5, 3), (2.0, 2)], ready=3.0)]
        problems = admission_order_problems(log, "flash")
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("bob was admitted while ann, who joined before it, still waited", problems[0])

    def test_negative_control_a_place_that_rises_is_caught(self):
        log = [user("ann", 0.0, 0.1, waits=[(0.1, 3), (0.5, 2), (0.9, 4)], ready=2.0)]
        self.assertEqual(admission_order_problems(log, "flash"),
                         ["flash: ann's place in line rose from 2 to 4 while it waited"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
