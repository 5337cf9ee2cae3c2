"""An offer's letter awaits the household's reply like any letter (outreach keeps letters, above
cases, and connects receivers in its AppConfig.ready). Sent inside the offer service's
transaction, so the letter and the offer are saved or rolled back together."""

from django.dispatch import Signal

# household, case, by, subject, sent_via, sent_on, due_on. A receiver that records the letter
# returns it; the offer keeps it as its awaited_reply.
offer_sent = Signal()
# offer, letter (the offer's unanswered letter), status, by, replied_on, note: the answer.
offer_answered = Signal()
