import type { ApplianceTypeSpec } from './types.js';

export const dryer = {
  type: 'dryer',
  displayName: { en: 'Tumble dryer', zh: '干衣机' },
  metrics: [
    { name: 'drum_temp_c', unit: '°C', type: 'number', valid: [-20, 150], typical: [20, 70], description: 'Air temperature at the drum inlet' },
    { name: 'exhaust_temp_c', unit: '°C', type: 'number', valid: [-20, 150], typical: [25, 65], description: 'Exhaust or condenser outlet air temperature' },
    { name: 'drum_rpm', unit: 'rpm', type: 'integer', valid: [0, 120], typical: [0, 60], description: 'Drum speed' },
    { name: 'motor_current_a', unit: 'A', type: 'number', valid: [0, 15], typical: [0, 2.5], description: 'Drum and fan motor current' },
    { name: 'heater_current_a', unit: 'A', type: 'number', valid: [0, 30], typical: [0, 11], description: 'Heating element or heat-pump compressor current' },
    { name: 'humidity_pct', unit: '%', type: 'number', valid: [0, 100], typical: [5, 95], description: 'Relative humidity of the exhaust air (load dryness)' },
    { name: 'airflow_m3h', unit: 'm³/h', type: 'number', valid: [0, 500], typical: [80, 200], description: 'Air flow through the drum; falls when the vent or lint filter clogs' },
    { name: 'door_open', unit: 'bool', type: 'boolean', valid: [0, 1], typical: [0, 0], description: 'Door is open' },
  ],
  states: [
    { name: 'phase', values: ['idle', 'heat', 'tumble', 'cool_down', 'anti_crease', 'done'], description: 'Cycle phase' },
    { name: 'program', values: ['cotton', 'synthetics', 'wool', 'mixed', 'timed', 'refresh'], description: 'Selected program' },
    { name: 'lint_filter_full', values: 'boolean', description: 'The lint filter needs cleaning' },
    { name: 'water_tank_full', values: 'boolean', description: 'Condenser water tank needs emptying (condenser and heat-pump dryers)' },
  ],
  faults: [
    { code: 'E-OVH-01', faultClass: 'overheat', meaning: 'Drum or exhaust over temperature, thermal cut-out tripped', severity: 'safety', needsVisit: true, likelyPart: 'thermal fuse', customerText: { en: 'Your dryer overheated and switched itself off. Unplug it and do not use it until a technician has checked it.', zh: '您的干衣机温度过高，已自动关机。请拔掉电源，在技术人员检查前请勿使用。' } },
    { code: 'E-HTR-01', faultClass: 'heater', meaning: 'Heater does not reach temperature', severity: 'warning', needsVisit: true, likelyPart: 'heating element', customerText: { en: 'Your dryer is not heating; clothes stay damp.', zh: '您的干衣机无法加热，衣物无法烘干。' } },
    { code: 'E-MTR-01', faultClass: 'motor', meaning: 'Drum does not turn while the motor runs', severity: 'critical', needsVisit: true, likelyPart: 'drive belt', customerText: { en: 'The drum of your dryer is not turning.', zh: '您的干衣机滚筒无法转动。' } },
    { code: 'E-SNS-01', faultClass: 'sensor', meaning: 'Drum temperature sensor open or shorted', severity: 'warning', needsVisit: true, likelyPart: 'NTC temperature sensor', customerText: { en: 'A temperature sensor in your dryer has failed.', zh: '您干衣机的温度传感器出现故障。' } },
    { code: 'E-HUM-01', faultClass: 'sensor', meaning: 'Moisture sensor reads implausibly', severity: 'warning', needsVisit: true, likelyPart: 'moisture sensor bars', customerText: { en: 'Your dryer cannot tell when the laundry is dry; it may stop too early or too late.', zh: '您的干衣机无法判断衣物干湿，可能提前或延后停止。' } },
    { code: 'E-PMP-01', faultClass: 'condensate', meaning: 'Condensate pump does not empty the sump', severity: 'warning', needsVisit: true, likelyPart: 'condensate pump', customerText: { en: 'Your dryer cannot pump away the water it collects.', zh: '您的干衣机无法排出冷凝水。' } },
    { code: 'W-AIR-01', faultClass: 'airflow', meaning: 'Air flow low: lint filter or vent hose blocked', severity: 'warning', needsVisit: false, likelyPart: null, customerText: { en: 'The air flow in your dryer is low. Please clean the lint filter and check the vent hose; a blocked vent is a fire risk.', zh: '您的干衣机风量过低。请清理绒毛过滤网并检查排气管；排气堵塞有火灾风险。' } },
    { code: 'W-LNT-01', faultClass: 'lint_filter', meaning: 'Lint filter full', severity: 'info', needsVisit: false, likelyPart: null, customerText: { en: 'Please clean the lint filter of your dryer.', zh: '请清理干衣机的绒毛过滤网。' } },
  ],
} as const satisfies ApplianceTypeSpec;
