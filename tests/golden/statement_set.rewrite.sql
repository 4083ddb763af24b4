SET 'pipeline.name' = 'orders-fanout';
SET 'table.exec.sink.not-null-enforcer' = 'DROP';

EXECUTE STATEMENT SET
BEGIN
    INSERT INTO int_orders_eu_v2
    SELECT * FROM src_orders_v2 WHERE region = 'EU';

    INSERT INTO int_orders_us_v2
    SELECT * FROM src_orders_v2 WHERE region = 'US';

    -- one more sink; END; inside a comment is not the end
    INSERT INTO int_orders_by_channel_v2 (channel, order_count)
    SELECT channel, COUNT(*)
    FROM src_orders_v2
    JOIN dim_channels_v2 USING (channel_id)
    GROUP BY channel;
END;
