SET 'pipeline.name' = 'orders-fanout';
SET 'table.exec.sink.not-null-enforcer' = 'DROP';

EXECUTE STATEMENT SET
BEGIN
    INSERT INTO int_orders_eu
    SELECT * FROM src_orders WHERE region = 'EU';

    INSERT INTO int_orders_us
    SELECT * FROM src_orders WHERE region = 'US';

    -- one more sink; END; inside a comment is not the end
    INSERT INTO int_orders_by_channel (channel, order_count)
    SELECT channel, COUNT(*)
    FROM src_orders
    JOIN dim_channels USING (channel_id)
    GROUP BY channel;
END;
