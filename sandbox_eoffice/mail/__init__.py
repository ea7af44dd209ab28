"""Official mail with phishing simulation: each learner's mailbox (inbox, sent, folders) with
ordinary work mail, and the trainers' phishing campaigns (templates, sender profiles,
landing pages, schedules) with per-recipient tracking and class metrics.
"""
