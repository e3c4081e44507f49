"""Operating subsidies and awards (运营补助 / 奖补): schemes as data, a monthly computation from
accepted monthly reports and the registry as of the month's end, review, approval and payment."""
