-- Two images of order O-1 (the second one must win) and one of O-2.
INSERT INTO raw_orders VALUES
  ('O-1', 'C-1', 'pending', 'EUR', 120.00, 5.00, 'WEB', 1717200000000, 1717200000000),
  ('O-1', 'C-1', 'paid',    'EUR', 120.00, 5.00, 'WEB', 1717200000000, 1717200060000),
  ('O-2', 'C-2', 'paid',    NULL,   40.50, 0.00, 'APP', 1717200100000, 1717200100000);
