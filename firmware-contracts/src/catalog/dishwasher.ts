import type { ApplianceTypeSpec } from './types.js';

export const dishwasher = {
  type: 'dishwasher',
  displayName: { en: 'Dishwasher', zh: '洗碗机' },
  metrics: [
    { name: 'water_temp_c', unit: '°C', type: 'number', valid: [0, 100], typical: [15, 70], description: 'Wash water temperature in the sump' },
    { name: 'fill_volume_l', unit: 'L', type: 'number', valid: [0, 30], typical: [0, 15], description: 'Water taken in during the current cycle' },
    { name: 'spray_pressure_kpa', unit: 'kPa', type: 'number', valid: [0, 500], typical: [0, 250], description: 'Circulation pressure at the spray arms' },
    { name: 'pump_current_a', unit: 'A', type: 'number', valid: [0, 10], typical: [0, 1.5], description: 'Circulation pump current' },
    { name: 'heater_current_a', unit: 'A', type: 'number', valid: [0, 20], typical: [0, 9], description: 'Heating element current' },
    { name: 'turbidity_ntu', unit: 'NTU', type: 'number', valid: [0, 4000], typical: [0, 500], description: 'Wash water turbidity (soil level)' },
    { name: 'door_open', unit: 'bool', type: 'boolean', valid: [0, 1], typical: [0, 0], description: 'Door is open' },
    { name: 'base_water', unit: 'bool', type: 'boolean', valid: [0, 1], typical: [0, 0], description: 'Anti-flood float in the base tray has water' },
  ],
  states: [
    { name: 'phase', values: ['idle', 'prewash', 'wash', 'rinse', 'dry', 'done'], description: 'Cycle phase' },
    { name: 'program', values: ['auto', 'eco', 'intensive', 'quick', 'glass', 'rinse_only'], description: 'Selected program' },
    { name: 'salt_low', values: 'boolean', description: 'Softener salt needs refilling' },
    { name: 'rinse_aid_low', values: 'boolean', description: 'Rinse aid needs refilling' },
  ],
  faults: [
    { code: 'E-LEAK-01', faultClass: 'leak', meaning: 'Water in the base tray, anti-flood protection triggered', severity: 'safety', needsVisit: true, likelyPart: 'sump seal', customerText: { en: 'Your dishwasher is leaking water. Please close the water tap and unplug it.', zh: '您的洗碗机正在漏水，请关闭水龙头并拔掉电源。' } },
    { code: 'E-DRN-01', faultClass: 'drain', meaning: 'Water does not drain', severity: 'critical', needsVisit: true, likelyPart: 'drain pump', customerText: { en: 'Your dishwasher cannot drain its water.', zh: '您的洗碗机无法排水。' } },
    { code: 'E-FIL-01', faultClass: 'water_inlet', meaning: 'No water taken in within the fill time', severity: 'warning', needsVisit: true, likelyPart: 'water inlet valve', customerText: { en: 'Your dishwasher is not getting water. Please check that the water tap is open.', zh: '您的洗碗机无法进水，请检查水龙头是否打开。' } },
    { code: 'E-HTR-01', faultClass: 'heater', meaning: 'Water does not heat', severity: 'warning', needsVisit: true, likelyPart: 'heating element', customerText: { en: 'Your dishwasher is not heating the water; dishes may not get clean.', zh: '您的洗碗机无法加热水，餐具可能洗不干净。' } },
    { code: 'E-CIR-01', faultClass: 'circulation', meaning: 'Circulation pump blocked or failed', severity: 'critical', needsVisit: true, likelyPart: 'circulation pump', customerText: { en: 'The wash pump of your dishwasher has stopped.', zh: '您洗碗机的循环泵已停止工作。' } },
    { code: 'E-SNS-01', faultClass: 'sensor', meaning: 'Water temperature sensor open or shorted', severity: 'warning', needsVisit: true, likelyPart: 'NTC temperature sensor', customerText: { en: 'A temperature sensor in your dishwasher has failed.', zh: '您洗碗机的温度传感器出现故障。' } },
    { code: 'W-FLT-01', faultClass: 'filter', meaning: 'Filter clogged, spray pressure low', severity: 'info', needsVisit: false, likelyPart: null, customerText: { en: 'Please clean the filter at the bottom of your dishwasher.', zh: '请清洁洗碗机底部的过滤网。' } },
    { code: 'W-SALT-01', faultClass: 'consumables', meaning: 'Softener salt empty', severity: 'info', needsVisit: false, likelyPart: null, customerText: { en: 'Your dishwasher needs softener salt.', zh: '您的洗碗机需要添加软水盐。' } },
    { code: 'W-RINSE-01', faultClass: 'consumables', meaning: 'Rinse aid empty', severity: 'info', needsVisit: false, likelyPart: null, customerText: { en: 'Your dishwasher needs rinse aid.', zh: '您的洗碗机需要添加漂洗剂。' } },
  ],
} as const satisfies ApplianceTypeSpec;
