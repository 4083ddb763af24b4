ALTER TABLE src_orders_v2 SET ('scan.startup.mode' = 'earliest-offset');

ALTER TABLE src_orders_v2 ADD (`channel` STRING COMMENT 'sales channel FROM checkout');

ALTER TABLE IF EXISTS `shop`.`src_payments_v2` MODIFY WATERMARK FOR paid_at AS paid_at - INTERVAL '10' SECOND;

ALTER TABLE src_refunds_v2 RESET ('scan.startup.mode');
