DELETE fct_orders WHERE id = 1;
