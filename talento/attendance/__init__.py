"""On-set attendance (issue 15): badge scans on a phone, offline first, the rules of a day on
set, corrections with a trail, and hours that payroll can use."""
