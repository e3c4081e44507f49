"""Fee statements for employers (入托缴费证明, plan task 6.3, issue 20): what a family paid an
institution for childcare over a period, from the institution's accepted monthly reports and the
child's voucher redemptions, with a verification code anyone can check.

- models.py: the statement as issued (its figures are a snapshot: a later correction of a report
  or a reversal does not change a statement already handed to an employer; the institution
  revokes it and issues another);
- services.py: issuing (refused, naming the month, where a month has no accepted report, no
  full-day fee or no enrolment), revoking, and the public verification;
- views.py: the operator's page, the family's request and the public verification page;
- the PDF is rendered by vouchers/pdf.py.
"""
