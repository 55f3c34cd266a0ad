import type { ApplianceTypeSpec } from './types.js';

export const refrigerator = {
  type: 'refrigerator',
  displayName: { en: 'Refrigerator', zh: '冰箱' },
  metrics: [
    { name: 'fridge_temp_c', unit: '°C', type: 'number', valid: [-40, 60], typical: [2, 6], description: 'Fresh-food compartment air temperature' },
    { name: 'freezer_temp_c', unit: '°C', type: 'number', valid: [-50, 40], typical: [-22, -16], description: 'Freezer compartment air temperature' },
    { name: 'compressor_duty', unit: 'ratio', type: 'number', valid: [0, 1], typical: [0.2, 0.6], description: 'Share of the last sample interval the compressor ran' },
    { name: 'compressor_current_a', unit: 'A', type: 'number', valid: [0, 20], typical: [0.5, 1.5], description: 'Compressor supply current' },
    { name: 'ambient_temp_c', unit: '°C', type: 'number', valid: [-30, 60], typical: [15, 30], description: 'Room temperature at the appliance' },
    { name: 'door_open', unit: 'bool', type: 'boolean', valid: [0, 1], typical: [0, 0], description: 'Fresh-food door is open' },
    { name: 'freezer_door_open', unit: 'bool', type: 'boolean', valid: [0, 1], typical: [0, 0], description: 'Freezer door or drawer is open' },
  ],
  states: [
    { name: 'defrost', values: 'boolean', description: 'A defrost cycle is running' },
    { name: 'mode', values: ['normal', 'eco', 'vacation', 'super_cool', 'super_freeze'], description: 'Operating mode' },
  ],
  faults: [
    { code: 'E-CMP-01', faultClass: 'compressor', meaning: 'Compressor fails to start', severity: 'critical', needsVisit: true, likelyPart: 'compressor start relay', customerText: { en: 'Your refrigerator compressor is failing to start. Food may warm up.', zh: '您的冰箱压缩机无法启动，食物可能会升温。' } },
    { code: 'E-CMP-02', faultClass: 'compressor', meaning: 'Compressor overcurrent', severity: 'critical', needsVisit: true, likelyPart: 'compressor', customerText: { en: 'Your refrigerator compressor is drawing too much current and may stop soon.', zh: '您的冰箱压缩机电流过大，可能很快停止工作。' } },
    { code: 'E-SNS-01', faultClass: 'sensor', meaning: 'Fresh-food temperature sensor open or shorted', severity: 'warning', needsVisit: true, likelyPart: 'NTC temperature sensor', customerText: { en: 'A temperature sensor in your refrigerator has failed.', zh: '您冰箱的温度传感器出现故障。' } },
    { code: 'E-SNS-02', faultClass: 'sensor', meaning: 'Freezer temperature sensor open or shorted', severity: 'warning', needsVisit: true, likelyPart: 'NTC temperature sensor', customerText: { en: 'A temperature sensor in your freezer has failed.', zh: '您冰箱冷冻室的温度传感器出现故障。' } },
    { code: 'E-REF-01', faultClass: 'sealed_system', meaning: 'Refrigerant leak: compressor runs continuously without pulling down temperature', severity: 'critical', needsVisit: true, likelyPart: 'evaporator', customerText: { en: 'Your refrigerator is running but no longer cools. Food may spoil; move it to another fridge if you can.', zh: '您的冰箱在运行但已不再制冷，食物可能变质，如有可能请转移到其他冰箱。' } },
    { code: 'E-DEF-01', faultClass: 'defrost', meaning: 'Defrost heater not reaching temperature', severity: 'warning', needsVisit: true, likelyPart: 'defrost heater', customerText: { en: 'Your freezer is not defrosting properly; ice may build up.', zh: '您的冷冻室除霜异常，可能结冰。' } },
    { code: 'E-FAN-01', faultClass: 'fan', meaning: 'Evaporator fan blocked or failed', severity: 'warning', needsVisit: true, likelyPart: 'evaporator fan motor', customerText: { en: 'The cooling fan in your refrigerator has stopped.', zh: '您冰箱的冷却风扇已停止工作。' } },
    { code: 'W-TMP-01', faultClass: 'temperature', meaning: 'Freezer above -12 °C for more than 2 hours', severity: 'warning', needsVisit: false, likelyPart: null, customerText: { en: 'Your freezer has been too warm for two hours. Check that the door is closed; thawed food should not be refrozen.', zh: '您的冷冻室温度过高已超过两小时。请检查门是否关好；已解冻的食物不宜再次冷冻。' } },
    { code: 'W-DOOR-01', faultClass: 'door', meaning: 'Door left open for more than 5 minutes', severity: 'info', needsVisit: false, likelyPart: null, customerText: { en: 'Your refrigerator door has been open for a while.', zh: '您的冰箱门已打开较长时间。' } },
  ],
} as const satisfies ApplianceTypeSpec;
