ALTER TABLE src_orders SET ('scan.startup.mode' = 'earliest-offset');

ALTER TABLE src_orders ADD (`channel` STRING COMMENT 'sales channel FROM checkout');

ALTER TABLE IF EXISTS `shop`.`src_payments` MODIFY WATERMARK FOR paid_at AS paid_at - INTERVAL '10' SECOND;

ALTER TABLE src_refunds RESET ('scan.startup.mode');
