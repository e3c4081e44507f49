"""The lecturer team (讲师团, plan 7.4): paediatricians, nutritionists and childcare experts who
lead parenting sessions in communities, hospitals and institutions."""
